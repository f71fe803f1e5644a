"""Attachments in a real browser (API.md, "Attachments"): paste, drop and pick files, watch each
upload's progress, cancel or retry it in place, send, and see the picture or file chip live in
another page, with links that work."""
import os
import socket
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import ChatPage, block_urls, new_driver

# Builds a PNG with a canvas (random noise makes it large enough for a slow upload to show its
# progress), wraps it in a File and pastes it into the message field as the clipboard would.
PASTE_PNG_SCRIPT = """
const [width, height, name, done] = arguments;
const canvas = document.createElement('canvas');
canvas.width = width;
canvas.height = height;
const context = canvas.getContext('2d');
const image = context.createImageData(width, height);
for (let offset = 0; offset < image.data.length; offset += 65536) {
  crypto.getRandomValues(image.data.subarray(offset, offset + 65536));
}
for (let index = 3; index < image.data.length; index += 4) image.data[index] = 255;
context.putImageData(image, 0, 0);
canvas.toBlob((blob) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], name, { type: 'image/png' }));
  const event = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
  document.querySelector('.composer__input').dispatchEvent(event);
  done({ size: blob.size, handled: event.defaultPrevented });
}, 'image/png');
"""

# Pastes a file of `size` zero bytes (or `text`) with any name and type.
PASTE_FILE_SCRIPT = """
const [name, type, size, text] = arguments;
const transfer = new DataTransfer();
transfer.items.add(new File([text ?? new Uint8Array(size)], name, { type }));
const event = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
document.querySelector('.composer__input').dispatchEvent(event);
return event.defaultPrevented;
"""

# Drops a text file on the conversation, as a drag from the desktop would.
DROP_FILE_SCRIPT = """
const [name, text] = arguments;
const transfer = new DataTransfer();
transfer.items.add(new File([text], name, { type: 'text/plain' }));
const pane = document.querySelector('.conversation-pane');
for (const type of ['dragenter', 'dragover']) {
  pane.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
}
const highlighted = pane.classList.contains('drop-target');
const drop = new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true });
document.querySelector('.timeline').dispatchEvent(drop);
return { highlighted, handled: drop.defaultPrevented, after: pane.classList.contains('drop-target') };
"""

TRAY_SCRIPT = """
return [...document.querySelectorAll('.attachment-tray__item')].map((item) => ({
  name: item.querySelector('.attachment-tray__name').textContent,
  state: item.dataset.state ?? '',
  percent: Number(item.querySelector('[role=progressbar]').getAttribute('aria-valuenow')),
  status: item.querySelector('.attachment-tray__status').textContent,
}));
"""

ATTACHMENTS_SCRIPT = """
const item = document.querySelector(`.timeline [data-message-id="${arguments[0]}"]`);
if (!item) return null;
return {
  bubble: item.querySelector('.message__bubble') !== null,
  images: [...item.querySelectorAll('.attachment-thumb img')].map((image) => ({
    src: image.getAttribute('src'), width: image.width, height: image.height,
    loaded: image.complete && image.naturalWidth > 0, naturalWidth: image.naturalWidth, alt: image.alt,
  })),
  placeholders: item.querySelectorAll('.attachment-thumb__placeholder').length,
  chips: [...item.querySelectorAll('.attachment-chip')].map((chip) => ({
    href: chip.getAttribute('href'), download: chip.getAttribute('download'), text: chip.innerText,
    icon: chip.querySelector('.attachment-chip__icon').textContent,
  })),
};
"""

# How often this page fetched one message (for its links) since it loaded.
FETCH_COUNT_SCRIPT = """
return performance.getEntriesByType('resource')
  .filter((entry) => new URL(entry.name).pathname.endsWith(`/messages/${arguments[0]}`)).length;
"""


def tray(page):
    return page.driver.execute_script(TRAY_SCRIPT)


def attachments_of(page, message_id):
    return page.driver.execute_script(ATTACHMENTS_SCRIPT, message_id)


def stored_messages(api, env, conversation_id):
    return api.call("GET", f"/v1/conversations/{conversation_id}/messages?limit=20", env["admin_token"])["items"]


def wait_stored(page, api, env, conversation_id, predicate, message):
    return page.wait(lambda: next((item for item in stored_messages(api, env, conversation_id) if predicate(item)), None),
                     message)


def throttle_uploads(page, bytes_per_second):
    """Slows this browser's uploads (-1: no limit), so that progress has time to show."""
    page.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": bytes_per_second,
    })


def watch_upload(page, name):
    """Polls the tray while `name` uploads; returns the percentages seen before it finished."""
    seen = []

    def finished():
        entry = next((entry for entry in tray(page) if entry["name"] == name), None)
        if entry and entry["state"] == "uploading":
            seen.append(entry["percent"])
            if 0 < entry["percent"] < 100 and len(seen) == 3:
                page.screenshot("40-upload-progress")
        return entry and entry["state"] != "uploading" and entry
    return page.wait(finished, f"the upload of {name} did not finish", timeout=60), seen


def own_circle_chat(api, env, member_user, unique, *pages):
    """A circle chat of this test's own (so its pictures stay out of other tests' chats), open in `pages`."""
    circle = api.put_circle(f"files-{unique}", f"Browsertest Files {unique}", [member_user["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "all_members"})
    for page in pages:
        page.open_conversation(conversation["id"], circle["name"])
        page.driver.execute_script("window.__sameDocument = true")
    return conversation["id"], circle["name"]


def leave_conversation(*pages):
    """Back to the list, so that later tests' messages are not read at once by an open chat."""
    for page in pages:
        page.go("#/direct")


def test_a_pasted_screenshot_uploads_with_progress_and_shows_live_in_the_other_page(
        admin_page, member_page, api, env, member_user, unique):
    conversation_id, _ = own_circle_chat(api, env, member_user, unique, admin_page, member_page)
    throttle_uploads(admin_page, 400 * 1024)
    try:
        # A paste starts an upload at once; Cancel (×) stops it and the file goes.
        pasted = admin_page.driver.execute_async_script(PASTE_PNG_SCRIPT, 700, 500, f"cancelled-{unique}.png")
        assert pasted["handled"], "the page did not take the pasted image"
        assert pasted["size"] > 1_000_000, "the test image is too small to watch its progress"
        admin_page.wait(lambda: any(entry["state"] == "uploading" and entry["percent"] > 0 for entry in tray(admin_page)),
                        "the first upload showed no progress")
        admin_page.visible(".attachment-tray__remove").click()
        admin_page.wait(lambda: tray(admin_page) == [], "Cancel did not take the file away")
        assert not admin_page.visible(".attachment-tray"), "the empty tray still shows"

        # Another paste: the bar moves through the upload, then the file waits to be sent.
        name = f"screenshot-{unique}.png"
        admin_page.driver.execute_async_script(PASTE_PNG_SCRIPT, 700, 500, name)
        entry, seen = watch_upload(admin_page, name)
    finally:
        throttle_uploads(admin_page, -1)
    assert entry["state"] == "done", f"the upload failed: {entry}"
    assert any(0 < percent < 100 for percent in seen), f"no progress between 0 and 100 was shown: {seen}"
    assert seen == sorted(seen), f"the progress went backwards: {seen}"
    admin_page.screenshot("41-attachment-ready")

    body = f"Here is the error screen {unique}"
    admin_page.send_with_enter(body)
    admin_page.wait(lambda: tray(admin_page) == [], "the tray kept the sent file")
    stored = wait_stored(admin_page, api, env, conversation_id, lambda item: item["body"] == body, "the message was not stored")
    [attachment] = stored["attachments"]
    assert (attachment["filename"], attachment["content_type"]) == (name, "image/png")
    assert (attachment["width"], attachment["height"]) == (700, 500)

    # The other page gets it from the stream (links come with one fetch of the message); the
    # thumbnail is scaled into its box, sized before it loads, and the image really loads.
    def loaded_thumbnail(page):
        shown = attachments_of(page, stored["id"])
        return shown and len(shown["images"]) == 1 and shown["images"][0]["loaded"] and shown

    shown = member_page.wait(lambda: loaded_thumbnail(member_page), "the thumbnail did not load live in the other page")
    image = shown["images"][0]
    assert image["src"].startswith(f"/v1/attachments/{attachment['id']}?exp="), image
    assert (image["width"], image["height"], image["naturalWidth"]) == (240, 171, 700), image
    assert image["alt"] == name
    assert member_page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"
    assert member_page.driver.execute_script(FETCH_COUNT_SCRIPT, stored["id"]) == 1, "the links were not fetched exactly once"
    admin_page.wait(lambda: loaded_thumbnail(admin_page), "the sender's own thumbnail did not load")
    member_page.screenshot("42-image-attachment-live")

    # A click opens it at full size; Esc closes it and the focus is back on the thumbnail.
    member_page.item(stored["id"]).find_element(By.CSS_SELECTOR, ".attachment-thumb").click()
    lightbox = member_page.wait_visible("dialog.lightbox")
    member_page.wait(lambda: member_page.driver.execute_script(
        "return document.querySelector('.lightbox__image').naturalWidth") == 700, "the full image did not load")
    assert name in lightbox.text
    member_page.screenshot("43-lightbox")
    member_page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    member_page.wait(lambda: not member_page.visible("dialog.lightbox"), "Esc did not close the lightbox")
    assert member_page.driver.execute_script(
        "return document.activeElement.classList.contains('attachment-thumb')"), "the focus did not return to the thumbnail"
    # A click anywhere closes it too.
    member_page.item(stored["id"]).find_element(By.CSS_SELECTOR, ".attachment-thumb").click()
    member_page.wait_visible("dialog.lightbox").click()
    member_page.wait(lambda: not member_page.visible("dialog.lightbox"), "a click did not close the lightbox")
    assert member_page.script_errors() == [] and admin_page.script_errors() == []
    leave_conversation(admin_page, member_page)


def test_dropped_and_picked_files_are_sent_alone_and_shown_as_chips_that_download(
        admin_page, member_page, api, env, member_user, unique, tmp_path):
    conversation_id, title = own_circle_chat(api, env, member_user, unique, admin_page, member_page)
    name = f'report "Q3" {unique}.txt'
    text = f"quarterly numbers {unique}\n"
    dropped = admin_page.driver.execute_script(DROP_FILE_SCRIPT, name, text)
    assert dropped == {"highlighted": True, "handled": True, "after": False}, dropped
    # The attach button's file picker (Selenium fills the hidden file field as a user's choice would).
    picked = tmp_path / f"numbers-{unique}.pdf"
    picked.write_bytes(b"%PDF-1.4\n% a tiny document\n")
    admin_page.driver.find_element(By.CSS_SELECTOR, ".composer__files").send_keys(str(picked))
    admin_page.wait(lambda: [entry["state"] for entry in tray(admin_page)] == ["done", "done"],
                    "the dropped and picked files did not upload")
    assert [entry["name"] for entry in tray(admin_page)] == [name, picked.name]

    # No text: the files alone are the message.
    admin_page.send_with_enter("")
    stored = wait_stored(admin_page, api, env, conversation_id,
                         lambda item: [a["filename"] for a in item["attachments"]] == [name, picked.name],
                         "the files were not sent")
    assert stored["body"] == ""
    assert stored["attachments"][0]["content_type"] == "application/octet-stream"

    def chips(page):
        shown = attachments_of(page, stored["id"])
        return shown and len(shown["chips"]) == 2 and all(chip["href"] for chip in shown["chips"]) and shown

    shown = member_page.wait(lambda: chips(member_page), "the chips did not arrive live with their links")
    assert not shown["bubble"], "an empty bubble is shown above files sent alone"
    chip_shown, pdf_chip = shown["chips"]
    assert picked.name in pdf_chip["text"] and "bytes" in pdf_chip["text"], pdf_chip
    assert name in chip_shown["text"] and f"{len(text)} bytes" in chip_shown["text"], chip_shown
    assert chip_shown["download"] == name and chip_shown["icon"] == "📎"
    member_page.screenshot("44-file-chips")
    # The link serves the bytes (as a download: the contract's headers).
    fetched = member_page.driver.execute_async_script("""
      const done = arguments[1];
      fetch(arguments[0]).then(async (response) => done({
        status: response.status, text: await response.text(),
        disposition: response.headers.get('Content-Disposition'), sniff: response.headers.get('X-Content-Type-Options'),
      }));""", chip_shown["href"])
    assert fetched["status"] == 200 and fetched["text"] == text, fetched
    assert fetched["disposition"].startswith("attachment") and fetched["sniff"] == "nosniff", fetched
    # With no text, the list row says what the message carries.
    member_page.go("#/circle")
    member_page.wait_row(title, lambda row: row["preview"].endswith("📎 Attachment"), "the row's preview is not 'Attachment'")
    leave_conversation(admin_page, member_page)


def test_a_refused_or_failed_upload_shows_its_error_on_the_file_and_retry_sends_it(
        admin_page, api, env, member_user, unique):
    conversation_id, _ = own_circle_chat(api, env, member_user, unique, admin_page)

    # Over UPLOAD_MAX_BYTES (10 MiB): the API answers 413, shown on that file; sending waits.
    big = f"too-big-{unique}.bin"
    assert admin_page.driver.execute_script(PASTE_FILE_SCRIPT, big, "application/octet-stream", 11 * 1024 * 1024, None)
    entry = admin_page.wait(lambda: next((e for e in tray(admin_page) if e["name"] == big and e["state"] == "failed"), None),
                            "the oversize upload did not fail", timeout=60)
    assert entry["status"] == "This file is too large to upload.", entry
    assert not admin_page.visible(".attachment-tray__retry"), "Retry offered for a file that stays too large"
    admin_page.screenshot("45-upload-too-large")
    draft = f"Not yet {unique}"
    admin_page.send_with_enter(draft)
    admin_page.wait(lambda: any("retry or remove it" in t for t in admin_page.toasts()), "no notice that a file failed")
    assert admin_page.wait_visible(".composer__input").get_attribute("value") == draft, "the draft was sent or lost"
    assert not any(item["body"] == draft for item in stored_messages(api, env, conversation_id))
    admin_page.visible(".attachment-tray__remove").click()
    admin_page.wait(lambda: tray(admin_page) == [], "Remove did not take the failed file away")

    # A lost connection: the error stays on the file; Retry uploads it, and the message goes.
    block_urls(admin_page.driver, "*/v1/uploads*")
    name = f"retry-{unique}.png"
    try:
        admin_page.driver.execute_async_script(PASTE_PNG_SCRIPT, 40, 30, name)
        entry = admin_page.wait(lambda: next((e for e in tray(admin_page) if e["state"] == "failed"), None),
                                "the blocked upload did not fail")
        assert entry["status"] == "Upload failed: the connection was lost.", entry
        assert admin_page.visible(".attachment-tray__retry"), "no Retry on the failed file"
        admin_page.screenshot("46-upload-failed-in-place")
    finally:
        block_urls(admin_page.driver)
    admin_page.visible(".attachment-tray__retry").click()
    admin_page.wait(lambda: [e["state"] for e in tray(admin_page)] == ["done"], "Retry did not upload the file")
    admin_page.send_with_enter("")  # the draft is still there: it goes with the file
    stored = wait_stored(admin_page, api, env, conversation_id, lambda item: item["body"] == draft, "the message was not sent")
    assert [a["filename"] for a in stored["attachments"]] == [name]
    admin_page.wait(lambda: (shown := attachments_of(admin_page, stored["id"])) and shown["images"]
                    and shown["images"][0]["loaded"], "the retried image is not shown")
    assert admin_page.script_errors() == []
    leave_conversation(admin_page)


def uploads_named(filename):
    """How many uploads of that name the database holds (begun, finished or not)."""
    answer = subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-qAt", "-v", "ON_ERROR_STOP=1", "-v", f"name={filename}"],
        input="SELECT count(*) FROM chat.uploads WHERE filename = :'name';\n",
        text=True, check=True, capture_output=True)
    return int(answer.stdout.strip())


def test_a_busy_or_rate_limited_api_refuses_on_the_file_it_concerns(own_service, api, env, drivers, screenshot_dir,
                                                                      member_user, unique):
    # An API of this test's own that takes one upload at a time and two per user, then one a minute.
    own_api = own_service("chat-api", "API_PORT", {
        "UPLOAD_CONCURRENCY": "1", "UPLOAD_BURST": "2", "UPLOAD_RATE_PER_MINUTE": "1",
    })
    own_gateway = own_service("chat-gateway", "GATEWAY_PORT", {"CHAT_CORS_ORIGINS": own_api.url})
    driver = new_driver()
    drivers.append(driver)
    page = ChatPage(driver, {**env, "api_url": own_api.url}, env["member_token"], screenshot_dir, own_gateway.url).sign_in()
    own_circle_chat(api, env, member_user, unique, page)

    # Another client of the same user holds the only place: an upload that stops sending halfway
    # (its row exists once the API has let it in).
    held = f"held-{unique}.bin"
    with socket.create_connection(("127.0.0.1", own_api.port), timeout=10) as holder:
        holder.sendall(f"POST /v1/uploads?filename={held} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Authorization: Bearer {env['member_token']}\r\nContent-Length: 100000\r\n\r\n".encode()
                       + b"x" * 1000)
        page.wait(lambda: uploads_named(held) == 1, "the held upload was not let in")
        # The page's upload meanwhile: 503, shown on that file.
        second = f"second-{unique}.txt"
        page.driver.execute_script(PASTE_FILE_SCRIPT, second, "text/plain", 0, "second file")
        entry = page.wait(lambda: next((e for e in tray(page) if e["name"] == second and e["state"] == "failed"), None),
                          "the second upload was not refused")
        assert entry["status"].startswith("The server is busy: try again"), entry
        assert page.visible(".attachment-tray__retry"), "no Retry after a busy refusal"
        page.screenshot("47-upload-server-busy")
    # The place is free again, but the user's two uploads are spent: a retry meets the rate limit (429).
    page.wait(lambda: uploads_named(held) == 0, "the abandoned upload was not discarded")
    page.visible(".attachment-tray__retry").click()
    entry = page.wait(lambda: (e := tray(page)[0])["state"] == "failed" and "Too many" in e["status"] and e,
                      "the retry was not refused by the rate limit")
    assert entry["status"].startswith("Too many uploads: try again in ") and entry["status"].endswith(" s."), entry
    assert page.visible(".attachment-tray__retry"), "no Retry after a rate-limit refusal"
    page.screenshot("48-upload-rate-limited")
