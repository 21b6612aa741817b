import Foundation
import VideoDecoding

/// The file names an HTTP media origin lists at its URL, in nginx's JSON directory listing
/// (`autoindex on; autoindex_format json;`): `[{"name": "final.mp4", "type": "file", …}, …]`.
enum OriginListing {
  private struct Entry: Decodable {
    let name: String
    let type: String
  }

  /// The names of the files listed at `url`; `LibraryError.noListing` when there is no JSON listing.
  static func names(at url: String) throws -> [String] {
    let body: [UInt8]
    do {
      body = try HTTPResource.read(url)
    } catch {
      // An unreachable origin is UNAVAILABLE; one that answers but refuses the listing (nginx
      // says 403 without autoindex, 404 without the folder) has none to give.
      if case .originUnavailable = error { throw error }
      throw LibraryError.noListing("\(error) (nginx needs autoindex on; autoindex_format json;)")
    }
    guard let entries = try? JSONDecoder().decode([Entry].self, from: Data(body)) else {
      throw LibraryError.noListing("\(url) is not a JSON directory listing (autoindex_format json;)")
    }
    return entries.filter { $0.type == "file" }.map(\.name)
  }
}
