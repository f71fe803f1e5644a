"""Fixtures for the browser tests of the Chats page.

Tests/browser/run starts chat-api and chat-gateway on a fresh database and passes their
addresses and the demo tokens in the environment; every variable is required (a missing one
fails the tests, it never skips them).
"""
import http.client
import json
import os
import pathlib
import secrets
import socket
import string
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
WAIT_SECONDS = 15


def required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the browser tests through Tests/browser/run", pytrace=False)
    return value


class ChatAPIClient:
    """A few direct API calls, to set up data the browser then shows and to check results."""

    def __init__(self, base_url, service_key):
        self.base_url = base_url.rstrip("/")
        self.service_key = service_key

    def call(self, method, path, token, body=None, expect=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for attempt in range(40):
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode()
                if status == 429:  # set-up traffic may meet the API's rate limit: wait as told
                    time.sleep(min(float(error.headers.get("Retry-After") or 1), 5))
                    continue
            except (urllib.error.URLError, ConnectionError, http.client.RemoteDisconnected) as error:
                # A dropped connection (the rate limit's refusal can come before our body was
                # sent, and chat-api was seen to reset a fresh connection now and then): set-up
                # calls are idempotent (client_id, get-or-create), so try again.
                reason = getattr(error, "reason", error)
                if attempt < 39 and isinstance(reason, (ConnectionError, http.client.RemoteDisconnected)):
                    time.sleep(0.5)
                    continue
                raise
            break
        assert status in expect, f"{method} {path} answered {status}: {text}"
        return json.loads(text) if text else None

    def service(self, method, path, body=None):
        return self.call(method, path, self.service_key, body)

    def put_user(self, user_id, name, role="member", active=True):
        return self.service("PUT", f"/v1/users/{user_id}", {
            "name": name, "email": f"{user_id}@example.com", "avatar_url": None, "role": role, "active": active,
        })

    def put_circle(self, circle_id, name, member_ids):
        circle = self.service("PUT", f"/v1/circles/{circle_id}", {
            "name": name, "url": f"https://backoffice.example/circles/{circle_id}",
        })
        self.service("PUT", f"/v1/circles/{circle_id}/members", {"user_ids": member_ids})
        return circle


@pytest.fixture(scope="session")
def env():
    return {
        "api_url": required_env("CHAT_API_URL").rstrip("/"),
        "gateway_url": required_env("CHAT_GATEWAY_URL").rstrip("/"),
        "admin_token": required_env("CHAT_ADMIN_TOKEN"),
        "admin_id": required_env("CHAT_ADMIN_ID"),
        "member_token": required_env("CHAT_MEMBER_TOKEN"),
        "member_id": required_env("CHAT_MEMBER_ID"),
    }


@pytest.fixture(scope="session")
def api(env):
    return ChatAPIClient(env["api_url"], required_env("CHAT_SERVICE_KEY"))


@pytest.fixture(scope="session")
def screenshot_dir():
    folder = pathlib.Path(os.environ.get("SCREENSHOT_DIR", REPO_ROOT / "test-artifacts" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def unique():
    """A short random suffix, so each test's users, circles and texts are its own."""
    return secrets.token_hex(3)


# Snapshots read in one script call: plain data, so a re-render between two reads cannot
# leave a test holding a replaced node.
ROWS_SCRIPT = """
return [...document.querySelectorAll('.conversation-row')].map((row) => ({
  id: row.dataset.conversationId,
  name: row.querySelector('.conversation-row__name')?.textContent ?? '',
  preview: row.querySelector('.conversation-row__preview')?.textContent ?? '',
  time: row.querySelector('.conversation-row__time')?.textContent ?? '',
  unread: Number(row.querySelector('.badge')?.dataset.count ?? 0),
  bold: row.classList.contains('conversation-row--unread'),
  avatar: row.querySelector('.avatar')?.textContent || (row.querySelector('.avatar img') ? 'image' : ''),
  text: row.innerText,
}));
"""
MESSAGES_SCRIPT = """
return [...document.querySelectorAll('.timeline .message')].map((item) => {
  const quote = item.querySelector('.message__quote');
  return {
    body: item.querySelector('.message__body, .message__system')?.textContent ?? '',
    text: item.innerText,
    own: item.classList.contains('message--own'),
    id: item.dataset.messageId ?? null,
    sending: item.classList.contains('message--sending'),
    failed: item.classList.contains('message--failed'),
    system: item.classList.contains('message--system'),
    deleted: item.classList.contains('message--deleted'),
    edited: item.querySelector('.message__edited') !== null,
    quote: quote && {
      sender: quote.querySelector('.message__quote-sender').textContent,
      text: quote.querySelector('.message__quote-text').textContent,
      deleted: quote.classList.contains('message__quote--deleted'),
    },
    reactions: [...item.querySelectorAll('.reaction-chip')].map((chip) => ({
      emoji: chip.dataset.emoji,
      count: Number(chip.querySelector('.reaction-chip__count').textContent),
      mine: chip.getAttribute('aria-pressed') === 'true',
    })),
    actions: [...item.querySelectorAll('.message__action')].map((button) => button.dataset.action),
  };
});
"""


class ChatPage:
    """One browser session signed in as one user, with the waits the tests share."""

    def __init__(self, driver, env, token, screenshot_dir, gateway_url=None):
        self.driver = driver
        self.env = env
        self.token = token
        self.screenshot_dir = screenshot_dir
        self.gateway_url = gateway_url or env["gateway_url"]

    def sign_in(self):
        self.driver.get(f"{self.env['api_url']}/#token={self.token}&gateway={self.gateway_url}")
        self.wait_visible("#me")
        return self

    def go(self, route):
        self.driver.execute_script("window.location.hash = arguments[0]", route)

    def wait(self, condition, message="", timeout=WAIT_SECONDS):
        """Polls `condition` until it is truthy; a node replaced by a re-render meanwhile is just polled again."""
        waiter = WebDriverWait(self.driver, timeout,
                               ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        return waiter.until(lambda driver: condition(), message)

    def wait_visible(self, selector, timeout=WAIT_SECONDS):
        return self.wait(lambda: self.visible(selector), f"{selector} did not appear", timeout)

    def visible(self, selector):
        elements = [e for e in self.driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]
        return elements[0] if elements else None

    def text(self, selector):
        """The text of the first visible match, or "" when there is none."""
        element = self.visible(selector)
        return element.text if element else ""

    def toasts(self, selector=".toast .toast__text"):
        """The texts of every visible toast: an earlier test's toast may still be on screen (errors
        stay 8 s), so a check looks for its own among them, not at the first."""
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def rows(self):
        """The list's rows, top to bottom, as dictionaries (see ROWS_SCRIPT)."""
        return self.driver.execute_script(ROWS_SCRIPT)

    def row(self, name):
        """The row named `name` as a dictionary, or None."""
        return next((row for row in self.rows() if row["name"] == name), None)

    def wait_row(self, name, until=lambda row: True, message=None):
        """Waits for the row named `name` to satisfy `until`, and returns it."""
        return self.wait(lambda: (row := self.row(name)) is not None and until(row) and row,
                         message or f"no list row named {name!r} as expected")

    def open_row(self, name):
        """Clicks the row named `name` and waits for its conversation's header."""
        self.wait_row(name)
        self.wait(lambda: self._click_row(name), f"cannot click the row {name!r}")
        self.wait(lambda: self.text(".conversation-header__title") == name, f"conversation {name!r} did not open")

    def _click_row(self, name):
        for link in self.all(".conversation-row__link"):
            if link.find_element(By.CSS_SELECTOR, ".conversation-row__name").text == name:
                link.click()
                return True
        return False

    def open_conversation(self, conversation_id, title):
        self.go(f"#/conversations/{conversation_id}")
        self.wait(lambda: self.text(".conversation-header__title") == title, f"conversation {title!r} did not open")

    def messages(self):
        """The open conversation's messages, in order, as dictionaries (see MESSAGES_SCRIPT)."""
        return self.driver.execute_script(MESSAGES_SCRIPT)

    def message(self, body):
        """The message with this body as a dictionary, or None."""
        return next((message for message in self.messages() if message["body"] == body), None)

    def wait_message(self, body, until=lambda message: True, message=None):
        return self.wait(lambda: (found := self.message(body)) is not None and until(found) and found,
                         message or f"no message {body!r} as expected")

    def message_by_id(self, message_id):
        """The message with this id as a dictionary, or None (deleted and system ones too)."""
        return next((message for message in self.messages() if message["id"] == str(message_id)), None)

    def wait_message_id(self, message_id, until=lambda message: True, message=None):
        return self.wait(lambda: (found := self.message_by_id(message_id)) is not None and until(found) and found,
                         message or f"no message {message_id} as expected")

    def item(self, message_id):
        """The timeline item of a message id (a live element: use it at once)."""
        return self.driver.find_element(By.CSS_SELECTOR, f'.timeline [data-message-id="{message_id}"]')

    def act(self, message_id, action):
        """Hovers over a message, as a mouse user does, and clicks one of its actions once it shows."""
        item = self.item(message_id)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", item)
        ActionChains(self.driver).move_to_element(item).perform()
        selector = f'[data-action="{action}"]'
        self.wait(lambda: (button := self.item(message_id).find_element(By.CSS_SELECTOR, selector)).is_displayed()
                  and button, f"hovering did not show the {action} action").click()

    def click_reaction(self, message_id, emoji):
        self.item(message_id).find_element(By.CSS_SELECTOR, f'.reaction-chip[data-emoji="{emoji}"]').click()

    def send_with_enter(self, text):
        self.wait_visible(".composer__input").send_keys(text, Keys.ENTER)

    def nav_unread(self, kind):
        return int(self.driver.find_element(By.CSS_SELECTOR, f'[data-unread-kind="{kind}"]').get_attribute("data-count") or 0)

    def screenshot(self, name):
        self.driver.save_screenshot(str(self.screenshot_dir / f"{name}.png"))

    def script_errors(self):
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and ("Uncaught" in entry["message"] or "Error" in entry["message"].split(" ")[0])]


def new_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,860", "--lang=en-US", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Leave a dialog from alert() open, so a test can see that none appeared.
    options.set_capability("unhandledPromptBehavior", "ignore")
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    # Only loopback: the demo data's avatar URLs point at outside hosts, which the tests must
    # never contact (the page falls back to initials). Requests to https or to a host name are
    # blocked before any DNS look-up; the services are addressed as http://127.0.0.1:PORT.
    # (Chromium's --host-resolver-rules / --proxy-server flags were tried first: with them,
    # fresh loopback connections were sometimes reset while the page loaded its modules.)
    driver.execute_cdp_cmd("Network.enable", {})
    block_urls(driver)
    return driver


# URL patterns of every request that leaves the machine (https, or a host name rather than 127.0.0.1).
OUTSIDE_URLS = ["https://*"] + [f"http://{letter}*" for letter in string.ascii_letters]


def block_urls(driver, *extra_patterns):
    """Blocks outside requests, and `extra_patterns` too (a test's simulated outage)."""
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": OUTSIDE_URLS + list(extra_patterns)})


@pytest.fixture(scope="session")
def drivers():
    started = []
    yield started
    for driver in started:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001 - a browser that died already needs no quitting
            pass


@pytest.fixture(scope="session")
def admin_page(env, drivers, screenshot_dir):
    driver = new_driver()
    drivers.append(driver)
    return ChatPage(driver, env, env["admin_token"], screenshot_dir).sign_in()


@pytest.fixture(scope="session")
def member_page(env, drivers, screenshot_dir):
    driver = new_driver()
    drivers.append(driver)
    return ChatPage(driver, env, env["member_token"], screenshot_dir).sign_in()


@pytest.fixture(scope="session")
def admin_user(api, env):
    return api.call("GET", "/v1/me", env["admin_token"])


@pytest.fixture(scope="session")
def member_user(api, env):
    return api.call("GET", "/v1/me", env["member_token"])


class ServiceProcess:
    """A chat-gateway or chat-api of the test's own, on its own port (`port_variable`), with
    `settings` added to the environment, that the test may stop and start again."""

    def __init__(self, bin_dir, binary, port_variable, log_path, settings):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = binary
        self.command = [str(pathlib.Path(bin_dir) / binary)]
        self.environment = {**os.environ, port_variable: str(self.port), "BIND_HOST": "127.0.0.1", **settings}
        self.log_path = log_path
        self.process = None

    def start(self, timeout=30):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, env=self.environment, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{self.name} exited with {self.process.returncode} (see {self.log_path})"
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} on port {self.port} was not ready in {timeout} s")

    def stop(self):
        """SIGTERM, as an orchestrator would; the service must exit within 10 seconds."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"{self.name} did not stop within 15 s of SIGTERM")


@pytest.fixture
def own_service():
    """Starts `binary` of the test's own (stopped after the test): `own_service(binary, port_variable, settings)`."""
    bin_dir = required_env("CHAT_BIN_DIR")
    required_env("DATABASE_URL")
    log_dir = REPO_ROOT / "test-artifacts" / "browser"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = []

    def start(binary, port_variable, settings):
        service = ServiceProcess(bin_dir, binary, port_variable, log_dir / f"own-{binary}.log", settings)
        started.append(service)
        service.start()
        return service
    yield start
    for service in started:
        service.stop()


@pytest.fixture
def own_gateway(own_service, env):
    return own_service("chat-gateway", "GATEWAY_PORT", {"CHAT_CORS_ORIGINS": env["api_url"]})


@pytest.fixture
def new_page(env, drivers, screenshot_dir):
    """Opens one more browser session for `token`, optionally on another gateway or in another
    time zone; `sign_in=False` only loads the sign-in link (for tokens that must not work)."""
    def open_page(token, gateway_url=None, timezone=None, sign_in=True):
        driver = new_driver()
        drivers.append(driver)
        if timezone:
            driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": timezone})
        page = ChatPage(driver, env, token, screenshot_dir, gateway_url)
        if sign_in:
            return page.sign_in()
        driver.get(f"{env['api_url']}/#token={token}&gateway={page.gateway_url}")
        return page
    return open_page
