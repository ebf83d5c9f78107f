"""Small helpers shared by the simulator modules."""
import base64
import hashlib
import json
import time
import uuid


def now():
    return int(time.time())


def new_guid():
    return uuid.uuid4().hex


def encode_token(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token):
    pad = "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(token + pad))


def digest(*parts):
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()


def quota_id(qtype, path, persona):
    raw = hashlib.sha256(("%s|%s|%s" % (qtype, path, json.dumps(persona, sort_keys=True))).encode()).digest()
    return base64.b32encode(raw).decode()[:32]


def norm_path(path):
    if path is None:
        return None
    path = "/" + path.strip("/")
    while "//" in path:
        path = path.replace("//", "/")
    return path


def path_under(path, root):
    """True when path equals root or lies below it."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def strip_private(d):
    return {k: v for k, v in d.items() if not k.startswith("_")}
