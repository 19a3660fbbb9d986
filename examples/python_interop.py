"""Optional manual check: the official Alibaba Cloud OSS Python SDK V2 against
the emulator. Not part of the test suite (the tests need no Python).

    pip install alibabacloud-oss-v2
    export OSS_ACCESS_KEY_ID=test-id OSS_ACCESS_KEY_SECRET=test-secret
    mkdir -p /tmp/oss-root
    cargo run --example emulator --features emulator -- --addr 127.0.0.1:9000 --root /tmp/oss-root &
    python3 examples/python_interop.py http://127.0.0.1:9000

It creates a bucket, uploads a 200 x 150 BMP, runs process_object with
resize + sys/saveas, fetches a presigned processing URL with urllib, and
checks that a wrong secret is refused with SignatureDoesNotMatch. Then it
lists the bucket with the SDK's list_objects_v2 paginator (two keys a page,
keys that need URL-decoding, a prefix, a delimiter, start-after) and asks
head_object about an object that exists and one that does not. With an IP
endpoint the SDK switches to path-style addressing by itself.
"""
import base64
import os
import struct
import sys
import urllib.request

import alibabacloud_oss_v2 as oss

BUCKET = "interop-bucket"


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def bmp(width, height):
    """A 24-bit BMP gradient (no imaging library needed)."""
    row = (width * 3 + 3) // 4 * 4
    pixels = b"".join(
        bytes(c for x in range(width) for c in (128, y * 255 // height, x * 255 // width)).ljust(row, b"\0")
        for y in range(height)
    )
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def client(endpoint, secret):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
        os.environ["OSS_ACCESS_KEY_ID"], secret, os.environ.get("OSS_SESSION_TOKEN")
    )
    cfg.region = "cn-hangzhou"
    cfg.endpoint = endpoint
    return oss.Client(cfg)


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9000"
    good = client(endpoint, os.environ["OSS_ACCESS_KEY_SECRET"])

    good.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    put = good.put_object(oss.PutObjectRequest(bucket=BUCKET, key="photo.bmp", body=bmp(200, 150)))
    print("put_object:", put.status_code, put.etag, put.request_id)

    process = f"image/resize,m_fixed,w_100,h_100|sys/saveas,o_{b64('thumbs/photo-100.bmp')},b_{b64(BUCKET)}"
    result = good.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
    print("process_object:", result.status_code, result.bucket, result.key, result.file_size,
          result.process_status, result.request_id)

    presigned = good.presign(oss.GetObjectRequest(bucket=BUCKET, key="photo.bmp", process="image/resize,w_100"))
    with urllib.request.urlopen(presigned.url) as answer:
        body = answer.read()
        width, height = struct.unpack("<ii", body[18:26])
        print("presigned GET:", answer.status, answer.headers["Content-Type"], len(body), "bytes,",
              f"{width} x {abs(height)} px")

    bad = client(endpoint, "not-the-secret")
    try:
        bad.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
        raise SystemExit("a wrong secret was accepted")
    except oss.exceptions.OperationError as e:
        error = e.unwrap()
        print("wrong secret:", error.status_code, error.code, error.request_id)
        assert error.code == "SignatureDoesNotMatch", error

    listing(good)
    head(good)


LISTED = ["100%.txt", "a b.txt", "a+b.txt", "dir/c d/+.txt", "dir/x.txt", "猫/照片 1+2.txt"]


def listing(good):
    for key in LISTED:
        good.put_object(oss.PutObjectRequest(bucket=BUCKET, key=key, body=key.encode()))
    paginator = good.list_objects_v2_paginator(limit=2)
    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=BUCKET)))
    keys = [o.key for page in pages for o in page.contents or []]
    expected = sorted(LISTED + ["photo.bmp", "thumbs/photo-100.bmp"])
    print("list_objects_v2 paginator:", len(pages), "pages,", keys)
    assert keys == expected, keys
    assert all(len(page.contents or []) <= 2 for page in pages)
    sizes = {o.key: o.size for page in pages for o in page.contents or []}
    assert sizes["a b.txt"] == len("a b.txt"), sizes

    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=BUCKET, prefix="dir/", delimiter="/")))
    keys = [o.key for page in pages for o in page.contents or []]
    folders = [p.prefix for page in pages for p in page.common_prefixes or []]
    print("prefix dir/, delimiter /:", keys, folders)
    assert keys == ["dir/x.txt"] and folders == ["dir/c d/"], (keys, folders)

    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=BUCKET, start_after="dir/x.txt")))
    keys = [o.key for page in pages for o in page.contents or []]
    print("start-after dir/x.txt:", keys)
    assert keys == ["photo.bmp", "thumbs/photo-100.bmp", "猫/照片 1+2.txt"], keys


def head(good):
    meta = good.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="a b.txt"))
    print("head_object:", meta.status_code, meta.content_length, meta.etag, meta.content_type,
          meta.last_modified)
    assert meta.content_length == len("a b.txt"), meta
    try:
        good.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="missing.txt"))
        raise SystemExit("a missing object was found")
    except oss.exceptions.OperationError as e:
        error = e.unwrap()
        print("head_object missing:", error.status_code, error.code, error.request_id)
        assert error.status_code == 404 and error.code == "NoSuchKey", error


if __name__ == "__main__":
    main()
