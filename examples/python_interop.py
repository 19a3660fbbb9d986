"""Optional manual check: the official Alibaba Cloud OSS Python SDK V2 against
the emulator. Not part of the test suite (the tests need no Python).

    pip install alibabacloud-oss-v2
    export OSS_ACCESS_KEY_ID=test-id OSS_ACCESS_KEY_SECRET=test-secret
    mkdir -p /tmp/oss-root
    cargo run --example emulator --features emulator -- --addr 127.0.0.1:9000 --root /tmp/oss-root \
        --notify_log /tmp/oss-notify.log &
    python3 examples/python_interop.py http://127.0.0.1:9000 /tmp/oss-notify.log

It creates a bucket, uploads a 200 x 150 BMP, runs process_object with
resize + sys/saveas, then with every image action the emulator performs
(each saved and its size checked), reads info and average-hue with GET,
fetches a presigned processing URL with urllib, embeds a blind watermark
and reads it back with async_process_object (image/deblindwatermark),
waiting for the task's line in the emulator's --notify_log file, puts,
gets, lists and deletes a style with the SDK's style calls and processes
through it (style/<name>, with and without sys/saveas), and checks that a
wrong secret is refused with SignatureDoesNotMatch. Then it lists the
bucket with the SDK's list_objects_v2 paginator (two keys a page, keys
that need URL-decoding, a prefix, a delimiter, start-after) and asks
head_object about an object that exists and one that does not. With an IP
endpoint the SDK switches to path-style addressing by itself.
"""
import base64
import json
import os
import struct
import sys
import time
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


def bmp_size(body):
    """Width and height of a BMP, PNG or JPEG file."""
    if body[:2] == b"BM":
        width, height = struct.unpack("<ii", body[18:26])
        return width, abs(height)
    if body[:4] == b"\x89PNG":
        return struct.unpack(">II", body[16:24])
    if body[:2] == b"\xff\xd8":
        i = 2
        while i < len(body):
            marker, length = body[i + 1], struct.unpack(">H", body[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", body[i + 5:i + 9])
                return width, height
            i += 2 + length
    raise ValueError("unknown image format")


# (action, expected size of the saved result from the 200 x 150 source)
ACTIONS = [
    ("resize,m_fixed,w_100,h_100", (100, 100)),
    ("crop,x_10,y_10,w_50,h_40", (50, 40)),
    ("indexcrop,x_60,i_1", (60, 150)),
    ("rotate,90", (150, 200)),
    ("circle,r_50/format,png", (100, 100)),
    ("rounded-corners,r_20/format,png", (200, 150)),
    ("blur,r_5,s_3", (200, 150)),
    ("bright,30", (200, 150)),
    ("contrast,-20", (200, 150)),
    ("sharpen,150", (200, 150)),
    (f"watermark,text_{b64('Hello OSS')},color_FF0000,size_20,g_center", (200, 150)),
    (f"watermark,image_{b64('logo.bmp')},g_nw,x_5,y_5,t_80", (200, 150)),
    ("format,jpg/quality,q_80/interlace,1", (200, 150)),
    ("auto-orient,1", (200, 150)),
    (f"blindwatermark,content_{b64('interop')},s_low", (200, 150)),
]


def wait_for_task(log_path, task_id, timeout=60):
    """The notification of task_id from the emulator's --notify_log file."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8") as log:
                for line in log:
                    message = json.loads(line)
                    content = json.loads(message["content"])
                    if content["TaskId"] == task_id:
                        return content
        time.sleep(0.2)
    raise SystemExit(f"no notification for {task_id} in {log_path}")


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
    notify_log = sys.argv[2] if len(sys.argv) > 2 else "/tmp/oss-notify.log"
    good = client(endpoint, os.environ["OSS_ACCESS_KEY_SECRET"])

    good.put_bucket(oss.PutBucketRequest(bucket=BUCKET))
    put = good.put_object(oss.PutObjectRequest(bucket=BUCKET, key="photo.bmp", body=bmp(200, 150)))
    print("put_object:", put.status_code, put.etag, put.request_id)

    process = f"image/resize,m_fixed,w_100,h_100|sys/saveas,o_{b64('thumbs/photo-100.bmp')},b_{b64(BUCKET)}"
    result = good.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
    print("process_object:", result.status_code, result.bucket, result.key, result.file_size,
          result.process_status, result.request_id)

    good.put_object(oss.PutObjectRequest(bucket=BUCKET, key="logo.bmp", body=bmp(20, 10)))
    for i, (action, size) in enumerate(ACTIONS):
        target = f"actions/{i}"
        process = f"image/{action}|sys/saveas,o_{b64(target)}"
        result = good.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=process))
        saved = good.get_object(oss.GetObjectRequest(bucket=BUCKET, key=target)).body.content
        got = bmp_size(saved)
        print(f"process_object image/{action}: {result.status_code} {result.process_status}, {got[0]} x {got[1]}")
        assert result.process_status == "OK" and got == size, (action, got, size)

    for action in ("info", "average-hue"):
        answer = good.get_object(oss.GetObjectRequest(bucket=BUCKET, key="photo.bmp", process=f"image/{action}"))
        print(f"GET image/{action}:", answer.status_code, answer.body.content.decode())

    presigned = good.presign(oss.GetObjectRequest(bucket=BUCKET, key="photo.bmp", process="image/resize,w_100"))
    with urllib.request.urlopen(presigned.url) as answer:
        body = answer.read()
        width, height = struct.unpack("<ii", body[18:26])
        print("presigned GET:", answer.status, answer.headers["Content-Type"], len(body), "bytes,",
              f"{width} x {abs(height)} px")

    text = "阿里云版权所有"
    embed = f"image/blindwatermark,content_{b64(text)},s_low|sys/saveas,o_{b64('wm/photo.bmp')}"
    good.process_object(oss.ProcessObjectRequest(bucket=BUCKET, key="photo.bmp", process=embed))
    decode = f"image/deblindwatermark,s_low,t_text|sys/notify,topic_{b64('imm-blindwatermark-test')}"
    task = good.async_process_object(oss.AsyncProcessObjectRequest(bucket=BUCKET, key="wm/photo.bmp", process=decode))
    print("async_process_object:", task.status_code, task.event_id, task.task_id, task.process_request_id)
    content = wait_for_task(notify_log, task.task_id)
    print("notification:", content["Status"], content["TaskType"], repr(content.get("Content")))
    assert content["Status"] == "Succeeded" and content["Content"] == text, content
    styles(good)

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


LIST_BUCKET = "interop-listing"
LISTED = ["100%.txt", "a b.txt", "a+b.txt", "dir/c d/+.txt", "dir/x.txt", "photo.bmp", "猫/照片 1+2.txt"]


def listing(good):
    good.put_bucket(oss.PutBucketRequest(bucket=LIST_BUCKET))
    for key in LISTED:
        good.put_object(oss.PutObjectRequest(bucket=LIST_BUCKET, key=key, body=key.encode()))
    paginator = good.list_objects_v2_paginator(limit=2)
    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=LIST_BUCKET)))
    keys = [o.key for page in pages for o in page.contents or []]
    expected = sorted(LISTED)
    print("list_objects_v2 paginator:", len(pages), "pages,", keys)
    assert keys == expected, keys
    assert all(len(page.contents or []) <= 2 for page in pages)
    sizes = {o.key: o.size for page in pages for o in page.contents or []}
    assert sizes["a b.txt"] == len("a b.txt"), sizes

    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=LIST_BUCKET, prefix="dir/", delimiter="/")))
    keys = [o.key for page in pages for o in page.contents or []]
    folders = [p.prefix for page in pages for p in page.common_prefixes or []]
    print("prefix dir/, delimiter /:", keys, folders)
    assert keys == ["dir/x.txt"] and folders == ["dir/c d/"], (keys, folders)

    pages = list(paginator.iter_page(oss.ListObjectsV2Request(bucket=LIST_BUCKET, start_after="dir/x.txt")))
    keys = [o.key for page in pages for o in page.contents or []]
    print("start-after dir/x.txt:", keys)
    assert keys == ["photo.bmp", "猫/照片 1+2.txt"], keys


def head(good):
    meta = good.head_object(oss.HeadObjectRequest(bucket=LIST_BUCKET, key="a b.txt"))
    print("head_object:", meta.status_code, meta.content_length, meta.etag, meta.content_type,
          meta.last_modified)
    assert meta.content_length == len("a b.txt"), meta
    try:
        good.head_object(oss.HeadObjectRequest(bucket=LIST_BUCKET, key="missing.txt"))
        raise SystemExit("a missing object was found")
    except oss.exceptions.OperationError as e:
        error = e.unwrap()
        print("head_object missing:", error.status_code, error.code, error.request_id)
        assert error.status_code == 404 and error.code == "NoSuchKey", error


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
