"""Optional manual check: the official Alibaba Cloud OSS Python SDK V2 against
the emulator. Not part of the test suite (the tests need no Python).

    pip install alibabacloud-oss-v2
    export OSS_ACCESS_KEY_ID=test-id OSS_ACCESS_KEY_SECRET=test-secret
    mkdir -p /tmp/oss-root
    cargo run --example emulator --features emulator -- --addr 127.0.0.1:9000 --root /tmp/oss-root &
    python3 examples/python_interop.py http://127.0.0.1:9000

It creates a bucket, uploads a 200 x 150 BMP, runs process_object with
resize + sys/saveas, fetches a presigned processing URL with urllib, puts,
gets, lists and deletes a style with the SDK's style calls and processes
through it (style/<name>, with and without sys/saveas), and checks that a
wrong secret is refused with SignatureDoesNotMatch. With an IP endpoint the
SDK switches to path-style addressing by itself.
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

    styles(good)

    bad = client(endpoint, "not-the-secret")
    try:
        bad.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
        raise SystemExit("a wrong secret was accepted")
    except oss.exceptions.OperationError as e:
        error = e.unwrap()
        print("wrong secret:", error.status_code, error.code, error.request_id)
        assert error.code == "SignatureDoesNotMatch", error


def styles(good):
    """PutStyle, GetStyle, ListStyle, DeleteStyle, and style/<name> in use."""
    good.put_style(oss.PutStyleRequest(
        bucket=BUCKET, style_name="thumb", category="image",
        style=oss.StyleContent(content="image/resize,m_fixed,w_40,h_30")))
    got = good.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="thumb")).style
    print("get_style:", got.name, got.content, got.category, got.create_time)
    assert (got.name, got.content, got.category) == ("thumb", "image/resize,m_fixed,w_40,h_30", "image"), got

    good.put_style(oss.PutStyleRequest(
        bucket=BUCKET, style_name="half", style=oss.StyleContent(content="image/resize,p_50")))
    listed = good.list_style(oss.ListStyleRequest(bucket=BUCKET)).style_list.styles
    print("list_style:", [(s.name, s.content) for s in listed])
    assert [s.name for s in listed] == ["thumb", "half"], listed

    process = f"style/thumb|sys/saveas,o_{b64('thumbs/styled.bmp')}"
    result = good.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
    print("process_object with a style:", result.status_code, result.key, result.file_size)
    assert result.key == "thumbs/styled.bmp", result

    body = good.get_object(oss.GetObjectRequest(bucket=BUCKET, key="photo.bmp", process="style/half")).body.read()
    width, height = struct.unpack("<ii", body[18:26])
    print("get_object with style/half:", len(body), "bytes,", f"{width} x {abs(height)} px")
    assert (width, abs(height)) == (100, 75)

    deleted = good.delete_style(oss.DeleteStyleRequest(bucket=BUCKET, style_name="half"))
    print("delete_style:", deleted.status_code)
    try:
        good.get_style(oss.GetStyleRequest(bucket=BUCKET, style_name="half"))
        raise SystemExit("a deleted style was found")
    except oss.exceptions.OperationError as e:
        error = e.unwrap()
        print("deleted style:", error.status_code, error.code)
        assert error.code == "NoSuchStyle", error


if __name__ == "__main__":
    main()
