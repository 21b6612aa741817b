// SoccerStream's web viewer: the list of matches (/) and the player (/watch/ID). Plain
// JavaScript with no library and no build step; everything comes from the server that served it.
"use strict";

const $ = (id) => document.getElementById(id);
const tokenKey = "soccerstream-token";

/** Thrown when the server asks for a token: the page then asks the user for it. */
class NeedsToken extends Error {}

/** A frame stream that ended without its last boundary: the server or the link went away. */
class StreamCut extends Error {
  constructor() {
    super("the frames stopped coming before the end (the server or the network went away): press play to go on");
  }
}

/** An answer of the API that is an error: its code and message, as the server wrote them. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Fetches `path` with the tab's token; throws NeedsToken on 401 and ApiError on other errors. */
async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = sessionStorage.getItem(tokenKey);
  if (token) headers.set("Authorization", "Bearer " + token);
  const answer = await fetch(path, { ...options, headers });
  if (answer.status === 401) {
    if (token) sessionStorage.removeItem(tokenKey);
    throw new NeedsToken(token ? "the token was refused" : "this server needs a token");
  }
  if (!answer.ok) {
    let code = "HTTP_" + answer.status;
    let message = answer.statusText || "the server refused the request";
    try {
      const body = await answer.json();
      code = body.code || code;
      message = body.message || message;
    } catch (_) {
      // Not JSON: keep the HTTP status.
    }
    throw new ApiError(answer.status, code, message);
  }
  return answer;
}

/** Shows the token form; `retry` runs once a token is given. */
function askForToken(reason, retry) {
  const form = $("token-form");
  form.hidden = false;
  say(reason + ": give it below.");
  $("token").focus();
  form.onsubmit = (event) => {
    event.preventDefault();
    sessionStorage.setItem(tokenKey, $("token").value.trim());
    form.hidden = true;
    say("");
    retry();
  };
}

function say(text) {
  $("status").textContent = text;
}

/** Says what went wrong where the user sees it, asking for a token when that is why. */
function report(error, retry) {
  if (error instanceof NeedsToken) askForToken(error.message, retry);
  else if (error instanceof ApiError) say(error.message + " (" + error.code + ")");
  else if (error instanceof StreamCut) say(error.message);
  else if (error.name !== "AbortError") say("the server could not be reached: " + error.message);
}

/** Runs `work`, reporting its failure. */
async function guarded(work) {
  try {
    await work();
  } catch (error) {
    report(error, () => guarded(work));
  }
}

/** "1:02:03.040", "2:03.040". */
function clock(seconds) {
  const whole = Math.max(0, seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = (whole % 60).toFixed(3).padStart(6, "0");
  return (h > 0 ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + s;
}

function matchPath(id) {
  return "/v1/matches/" + encodeURIComponent(id);
}

// --- the list ---------------------------------------------------------------------------------

async function showList() {
  say("loading the matches…");
  const { matches } = await (await api("/v1/matches")).json();
  const rows = $("matches").tBodies[0];
  rows.textContent = "";
  $("matches").hidden = false;
  say(matches.length === 0 ? "The server has no matches." : "");
  const cells = new Map();
  for (const id of matches) {
    const row = rows.insertRow();
    row.dataset.id = id;
    const link = document.createElement("a");
    link.href = "/watch/" + encodeURIComponent(id);
    link.textContent = id;
    row.insertCell().append(link);
    const [size, duration, frames] = [row.insertCell(), row.insertCell(), row.insertCell()];
    duration.className = frames.className = "number";
    cells.set(id, { size, duration, frames });
  }
  // Describe opens each file: a few at a time.
  const queue = [...matches];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const cell = cells.get(id);
      try {
        const info = await (await api(matchPath(id))).json();
        cell.size.textContent = info.width + "×" + info.height;
        cell.duration.textContent = clock(info.duration_seconds).replace(/\.\d+$/, "");
        cell.frames.textContent = (info.frame_count_exact ? "" : "≈") + info.frame_count.toLocaleString("en");
      } catch (error) {
        if (error instanceof NeedsToken) throw error;
        cell.size.textContent = error.message;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

// --- the player -------------------------------------------------------------------------------

/**
 * Reads a multipart/x-mixed-replace stream of frames (frames.mjpeg) and gives each part as
 * { headers, body }, reading only as fast as the parts are taken.
 */
async function* parts(response) {
  const reader = response.body.getReader();
  let buffer = new Uint8Array(0);
  const decoder = new TextDecoder();
  const find = (from) => {
    for (let i = from; i + 3 < buffer.length; i++) {
      if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) return i;
    }
    return -1;
  };
  const more = async () => {
    let read;
    try {
      read = await reader.read();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new StreamCut();
    }
    const { value, done } = read;
    if (done) return false;
    const joined = new Uint8Array(buffer.length + value.length);
    joined.set(buffer);
    joined.set(value, buffer.length);
    buffer = joined;
    return true;
  };
  try {
    for (;;) {
      let end = find(0);
      while (end < 0) {
        // The server always closes a stream with its last boundary: without it, it was cut off.
        if (!(await more())) throw new StreamCut();
        end = find(0);
      }
      const lines = decoder.decode(buffer.subarray(0, end)).split("\r\n");
      if (lines.some((line) => line.endsWith("--soccerframe--"))) return;
      const headers = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"]);
      if (!Number.isInteger(length) || length < 0) throw new Error("the frame stream is malformed");
      while (buffer.length < end + 4 + length) {
        if (!(await more())) throw new StreamCut();
      }
      const body = buffer.slice(end + 4, end + 4 + length);
      buffer = buffer.slice(Math.min(buffer.length, end + 4 + length + 2));
      yield { headers, body };
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

class Player {
  constructor(id) {
    this.id = id;
    this.canvas = $("screen");
    this.context2d = this.canvas.getContext("2d");
    this.frame = -1; // the frame on screen
    this.target = 0; // where the last seek went
    this.playing = false;
    this.speed = 1;
    this.queue = []; // decoded frames waiting for their time: { frame, seconds, bitmap }
    this.stream = null; // the AbortController of the frame stream
    this.generation = 0; // bumped by each seek, pause and play: older answers are dropped
    this.anchor = null; // { wall, seconds }: when a frame's time was on the wall clock
    this.room = null; // resolves when the queue has room
    // For tests and the benchmark harness: when each seek was asked and painted.
    this.seeks = [];
    this.painted = 0;
    window.soccerViewer = this;
  }

  async open() {
    this.info = await (await api(matchPath(this.id))).json();
    const info = this.info;
    document.title = this.id + " · SoccerStream";
    $("title").textContent = this.id;
    this.last = Math.max(0, info.frame_count - 1);
    $("seek").max = String(this.last);
    $("frame").max = String(this.last);
    $("info").textContent =
      info.codec + " · " + info.width + "×" + info.height + " · " + info.frame_rate.toFixed(3) + " frames/s · " +
      info.source_pixel_format + " · " + (info.frame_count_exact ? "" : "about ") + info.frame_count +
      " frames · " + clock(info.duration_seconds);
    $("player").hidden = false;
    this.wire();
    const asked = new URLSearchParams(location.search).get("frame");
    let start = 0;
    if (asked !== null && !/^\d+$/.test(asked)) say("frame=" + asked + " is not a frame number: showing frame 0");
    else if (asked !== null && Number(asked) > this.last) {
      start = this.last;
      say("the match has " + (this.last + 1) + " frames, 0 to " + this.last + ": showing the last");
    } else if (asked !== null) start = Number(asked);
    await this.still(start);
    requestAnimationFrame(() => this.tick());
  }

  wire() {
    $("play").onclick = () => this.toggle();
    $("back").onclick = () => this.step(-1);
    $("forward").onclick = () => this.step(1);
    $("seek").oninput = () => this.seek(Number($("seek").value));
    $("frame").onchange = () => {
      const value = $("frame").value;
      if (/^\d+$/.test(value)) this.seek(Number(value));
      else say("the frame number is a whole number from 0 to " + this.last);
    };
    $("speed").onchange = () => this.setSpeed(Number($("speed").value));
    document.addEventListener("keydown", (event) => this.key(event));
  }

  /** mpv's keys, as the terminal player has them. */
  key(event) {
    if (event.target instanceof HTMLInputElement && event.target.type !== "range") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const seconds = (s) => this.seek(this.target + Math.round(s * this.info.frame_rate));
    const actions = {
      " ": () => this.toggle(),
      p: () => this.toggle(),
      ArrowLeft: () => seconds(-5),
      ArrowRight: () => seconds(5),
      ArrowDown: () => seconds(-60),
      ArrowUp: () => seconds(60),
      ",": () => this.step(-1),
      ".": () => this.step(1),
      "[": () => this.setSpeed(this.speed * 0.9),
      "]": () => this.setSpeed(this.speed * 1.1),
      "{": () => this.setSpeed(this.speed / 2),
      "}": () => this.setSpeed(this.speed * 2),
      Backspace: () => this.setSpeed(1),
      s: () => this.save(),
      i: () => ($("info").hidden = !$("info").hidden),
      "?": () => ($("keys").hidden = !$("keys").hidden),
      f: () => (document.fullscreenElement ? document.exitFullscreen() : this.canvas.requestFullscreen()),
      q: () => (location.href = "/"),
      Escape: () => (document.fullscreenElement ? undefined : (location.href = "/")),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  setSpeed(speed) {
    this.speed = Math.min(16, Math.max(1 / 16, speed));
    this.anchor = null;
    // The stream is paced at the old speed: go on from the frame on screen at the new one.
    if (this.playing) this.startStream(Math.min(this.last, this.frame + 1));
    const select = $("speed");
    const option = [...select.options].find((o) => Math.abs(Number(o.value) - this.speed) < 1e-9);
    if (!option) {
      const custom = new Option(this.speed.toFixed(2) + "×", String(this.speed));
      select.add(custom);
    }
    select.value = option ? option.value : String(this.speed);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Plays from the frame after the one on screen (from the start once at the end). */
  play() {
    const from = this.frame >= this.last ? 0 : Math.max(0, this.frame + 1);
    this.playing = true;
    say("");
    this.showState();
    this.startStream(from);
  }

  pause() {
    this.playing = false;
    this.stopStream();
    this.showState();
    this.target = this.frame;
    // The frame on screen came as JPEG: show it without loss.
    if (this.frame >= 0) this.exact(this.frame, this.generation);
  }

  step(delta) {
    if (this.playing) this.pause();
    this.seek(this.target + delta);
  }

  seek(frame) {
    const n = Math.min(this.last, Math.max(0, Math.round(frame)));
    this.target = n;
    this.seeks.push({ frame: n, asked: performance.now(), painted: null });
    if (this.playing) this.startStream(n);
    else this.still(n);
  }

  /** Paints frame `n` alone: a JPEG at once, then the lossless PNG. */
  async still(n) {
    const generation = ++this.generation;
    this.target = n;
    await guarded(async () => {
      const jpeg = await api(this.framePath(n, "jpg", { quality: 90, ...this.displayWidth() }));
      const bitmap = await createImageBitmap(await jpeg.blob());
      if (generation !== this.generation) return bitmap.close();
      this.paint(n, Number(jpeg.headers.get("Soccer-Time")), bitmap, false);
      await this.exact(n, generation);
    });
  }

  /** Replaces frame `n` on screen by its PNG at the match's own size, if still wanted. */
  async exact(n, generation) {
    await guarded(async () => {
      const png = await api(this.framePath(n, "png", {}));
      const bitmap = await createImageBitmap(await png.blob(), { colorSpaceConversion: "none" });
      if (generation !== this.generation || this.playing || this.frame !== n) return bitmap.close();
      this.paint(n, Number(png.headers.get("Soccer-Time")), bitmap, true);
    });
  }

  framePath(n, file, options) {
    const query = new URLSearchParams(options).toString();
    return matchPath(this.id) + "/frames/" + n + "." + file + (query ? "?" + query : "");
  }

  /**
   * The width frames are asked for as JPEG: the match's, or the canvas's on the screen when that
   * is at most two thirds of it (a 1080p match in a laptop's window), which saves the server and
   * the link more than half the pixels.
   */
  displayWidth() {
    const shown = Math.round(this.canvas.clientWidth * (window.devicePixelRatio || 1));
    return shown > 0 && shown * 3 <= this.info.width * 2 ? { width: shown } : {};
  }

  stopStream() {
    this.generation++;
    if (this.stream) this.stream.abort();
    this.stream = null;
    for (const queued of this.queue) queued.bitmap.close();
    this.queue = [];
    this.anchor = null;
    if (this.room) this.room();
  }

  startStream(from) {
    this.stopStream();
    const generation = this.generation;
    const controller = new AbortController();
    this.stream = controller;
    // Paced at the speed: the server runs at most a second ahead, so a pause or a seek throws
    // away no more than that.
    const query = new URLSearchParams({ start: from, quality: 80, pace: this.speed, ...this.displayWidth() });
    // However the stream ends (its last frame, a cut, an error), the frames already here are
    // shown, and playing then stops on the last of them, saying why when it was not the end.
    this.readStream(query, controller, generation).then(
      () => this.ended(generation, null),
      (error) => this.ended(generation, error.name === "AbortError" ? null : error),
    );
  }

  ended(generation, error) {
    if (generation === this.generation) this.streamEnd = { generation, error };
  }

  /** Reads one frame stream into the queue, reading no further while the queue is full. */
  async readStream(query, controller, generation) {
    const answer = await api(matchPath(this.id) + "/frames.mjpeg?" + query, { signal: controller.signal });
    for await (const part of parts(answer)) {
      if (generation !== this.generation) return;
      if (part.headers["content-type"] === "application/json") {
        const error = JSON.parse(new TextDecoder().decode(part.body));
        throw new ApiError(Number(part.headers["soccer-status"]), error.code, error.message);
      }
      const bitmap = await createImageBitmap(new Blob([part.body], { type: "image/jpeg" }));
      if (generation !== this.generation) return bitmap.close();
      this.queue.push({
        frame: Number(part.headers["soccer-frame"]),
        seconds: Number(part.headers["soccer-time"]),
        bitmap,
      });
      // A second of frames decoded ahead is enough: the rest waits in the socket.
      while (this.queue.length >= 24 && generation === this.generation) {
        await new Promise((resolve) => (this.room = resolve));
      }
    }
  }

  /** Shows each queued frame when its time comes. */
  tick() {
    requestAnimationFrame(() => this.tick());
    if (!this.playing) return;
    const now = performance.now();
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!this.anchor) this.anchor = { wall: now, seconds: next.seconds };
      const due = this.anchor.wall + ((next.seconds - this.anchor.seconds) * 1000) / this.speed;
      if (now < due) break;
      this.queue.shift();
      // Late by more than a quarter second (a slow link): keep going from here, not catch up.
      if (now - due > 250) this.anchor = { wall: now, seconds: next.seconds };
      this.paint(next.frame, next.seconds, next.bitmap, false);
      if (this.room) this.room();
      break;
    }
    const end = this.streamEnd;
    if (this.queue.length === 0 && end && end.generation === this.generation) {
      this.streamEnd = null;
      this.playing = false;
      this.showState();
      this.target = this.frame;
      if (end.error) report(end.error, () => this.play());
      this.exact(this.frame, this.generation);
    }
  }

  paint(frame, seconds, bitmap, exact) {
    if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
      this.canvas.width = bitmap.width;
      this.canvas.height = bitmap.height;
    }
    this.context2d.drawImage(bitmap, 0, 0);
    bitmap.close();
    this.frame = frame;
    if (!this.playing) this.target = frame;
    this.painted++;
    const seek = this.seeks.length > 0 ? this.seeks[this.seeks.length - 1] : null;
    if (seek && seek.painted === null && seek.frame === frame) seek.painted = performance.now();
    this.canvas.dataset.frame = String(frame);
    this.canvas.dataset.exact = exact ? "1" : "0";
    const time = Number.isFinite(seconds) ? seconds : frame / this.info.frame_rate;
    $("position").textContent =
      "frame " + frame + " / " + this.last + " · " + clock(time) + " / " + clock(this.info.duration_seconds);
    $("seek").value = String(frame);
    if (document.activeElement !== $("frame")) $("frame").value = String(frame);
    $("link").href = "/watch/" + encodeURIComponent(this.id) + "?frame=" + frame;
  }

  showState() {
    this.canvas.dataset.state = this.playing ? "playing" : "paused";
    $("play").textContent = this.playing ? "pause" : "play";
    $("play").setAttribute("aria-label", this.playing ? "pause" : "play");
  }

  /** Saves the frame on screen, at the match's own size, as ID_NNNNNN.png (numbered as soccer dump numbers). */
  async save() {
    const n = this.frame;
    if (n < 0) return;
    await guarded(async () => {
      const blob = await (await api(this.framePath(n, "png", {}))).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = this.id + "_" + String(n + 1).padStart(6, "0") + ".png";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      say("saved " + link.download);
    });
  }
}

function watchedId() {
  const segment = location.pathname.split("/")[2] || "";
  try {
    return decodeURIComponent(segment);
  } catch (_) {
    return segment;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.page === "list") guarded(showList);
  else guarded(() => new Player(watchedId()).open());
});
