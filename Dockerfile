# SoccerStream in a container: build with the Swift toolchain, run on a slim Debian 12 with
# FFmpeg's, chafa's and OpenSSL's runtime libraries only. (Written for deploy/kubernetes/; this project's
# build machines have no Docker engine, so it has not been built here.)
#
#   docker build -t soccerstream .
#   docker run -p 50051:50051 -v "$PWD/media:/media:ro" soccerstream
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libavformat-dev libavcodec-dev libswscale-dev \
      libavutil-dev libchafa-dev libglib2.0-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product soccer --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/soccer" /soccer

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libavformat59 libavcodec59 libswscale6 libavutil57 libchafa0 libssl3 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /soccer /usr/local/bin/soccer
USER 65532:65532
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/soccer"]
CMD ["serve", "--host", "0.0.0.0", "--port", "50051", "--media", "/media"]
