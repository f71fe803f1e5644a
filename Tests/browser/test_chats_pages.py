"""The Chats pages in a real browser (headless Chromium), against the real services."""
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

XSS_BODY = "<img src=x onerror=alert(1)>"


def direct_chat(api, env, member_id):
    return api.call("POST", "/v1/conversations/direct", env["admin_token"], {"user_id": member_id})


def open_row(page, name):
    page.wait_row(name).find_element(By.CSS_SELECTOR, "a").click()
    page.wait(lambda: page.text(".conversation-header__title") == name, f"conversation {name!r} did not open")


def own_bubble(page, body):
    for item in page.all(".message--own"):
        if item.find_element(By.CSS_SELECTOR, ".message__body").text == body:
            return item
    return None


def bubble(page, body):
    for item in page.all(".message"):
        if item.find_element(By.CSS_SELECTOR, ".message__body").text == body:
            return item
    return None


def circle_options(page):
    """The suggestions the circle field shows now (hidden, stale ones left out)."""
    return [option for option in page.all("#circle-chat-options [role=option]") if option.is_displayed()]


def send_with_enter(page, text):
    composer = page.wait_visible(".composer__input")
    composer.send_keys(text, Keys.ENTER)


def test_sign_in_removes_the_token_from_the_address_bar(admin_page):
    assert "token=" not in admin_page.driver.current_url
    assert admin_page.driver.execute_script("return sessionStorage.getItem('chat.token')") == admin_page.token


def test_direct_list_shows_the_peer_the_preview_and_the_unread_badge(admin_page, api, env, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    text = f"Question from the member {unique}"
    api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["member_token"], {"body": text})

    admin_page.go("#/direct")
    admin_page.wait(lambda: (row := admin_page.row(member_user["name"])) is not None
                    and text in row.find_element(By.CSS_SELECTOR, ".conversation-row__preview").text,
                    "the row does not show the newest message")
    row = admin_page.row(member_user["name"])
    assert "conversation-row--unread" in row.get_attribute("class")
    assert int(row.find_element(By.CSS_SELECTOR, ".badge").get_attribute("data-count")) >= 1
    assert row.find_element(By.CSS_SELECTOR, ".conversation-row__time").text
    assert row.find_element(By.CSS_SELECTOR, ".avatar").text or row.find_elements(By.CSS_SELECTOR, ".avatar img")
    admin_page.wait(lambda: admin_page.nav_unread("direct") >= 1, "the 1:1 tab has no unread badge")
    assert admin_page.text("#new-chat-button") == "New Chat"
    admin_page.screenshot("01-direct-list")
    assert admin_page.script_errors() == []


def test_new_chat_dialog_finds_a_user_by_name_and_lands_in_the_new_chat(admin_page, api, unique):
    name = f"Zelda Browsertest {unique}"
    user = api.put_user(f"zelda-{unique}", name)

    admin_page.go("#/direct")
    admin_page.wait_visible("#new-chat-button").click()
    field = admin_page.wait_visible("#new-chat-user")
    assert admin_page.driver.switch_to.active_element == field, "focus is not in the dialog's field"
    field.send_keys(f"zelda browsertest {unique}")
    option = admin_page.wait_visible("#new-chat-options [role=option]")
    assert user["email"] in option.text, "the suggestion does not show the email"

    field.send_keys(Keys.ESCAPE)  # closes the suggestions, not the dialog
    admin_page.wait(lambda: not admin_page.visible("#new-chat-options"), "Escape left the suggestions open")
    assert admin_page.visible("#new-chat-dialog"), "Escape on open suggestions closed the dialog"

    field.send_keys(Keys.ARROW_DOWN)
    admin_page.wait(lambda: field.get_attribute("aria-activedescendant"), "ArrowDown did not pick an option")
    admin_page.screenshot("02-new-chat-dialog")
    field.send_keys(Keys.ENTER)
    admin_page.wait(lambda: field.get_attribute("value") == name, "Enter did not choose the user")
    submit = admin_page.driver.find_element(By.ID, "new-chat-submit")
    assert submit.is_enabled() and submit.text == "Start Chat"
    submit.click()

    admin_page.wait(lambda: "#/conversations/" in admin_page.driver.current_url, "Start Chat did not open the chat")
    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == name, "wrong conversation header")
    assert admin_page.text(".conversation-header__subtitle") == user["email"]
    assert not admin_page.visible("#new-chat-dialog")
    admin_page.screenshot("03-new-direct-conversation")


def test_enter_sends_and_the_message_shows_once_in_an_own_bubble(admin_page, api, env, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    admin_page.go(f"#/conversations/{conversation['id']}")
    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == member_user["name"], "chat did not open")
    text = f"Hello from the browser {unique}"
    send_with_enter(admin_page, text)

    admin_page.wait(lambda: (item := own_bubble(admin_page, text)) is not None and item.get_attribute("data-message-id"),
                    "the sent message is not confirmed in an own bubble")
    # The live echo arrives too; the bubble stays single.
    assert len([item for item in admin_page.all(".message--own .message__body") if item.text == text]) == 1
    assert admin_page.visible(".composer__input").get_attribute("value") == ""
    stored = api.call("GET", f"/v1/conversations/{conversation['id']}/messages?limit=10", env["admin_token"])["items"]
    assert [message["body"] for message in stored].count(text) == 1

    separators = [element.text for element in admin_page.all(".day__separator")]
    assert separators and separators[-1].lower() == "today"
    admin_page.screenshot("04-message-sent")


def test_second_session_gets_the_message_live_with_an_unread_badge(admin_page, member_page, api, env,
                                                                  admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    member_page.go("#/direct")
    member_page.wait_row(admin_user["name"])
    member_page.driver.execute_script("window.__sameDocument = true")
    unread_before = member_page.nav_unread("direct")

    admin_page.go(f"#/conversations/{conversation['id']}")
    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == member_user["name"], "chat did not open")
    text = f"Live delivery check {unique}"
    send_with_enter(admin_page, text)

    member_page.wait(lambda: text in member_page.row(admin_user["name"]).text, "the member's list did not update live")
    row = member_page.row(admin_user["name"])
    assert int(row.find_element(By.CSS_SELECTOR, ".badge").get_attribute("data-count")) >= 1
    assert member_page.all(".conversation-row")[0] == row, "the row did not move to the top"
    member_page.wait(lambda: member_page.nav_unread("direct") > unread_before, "the 1:1 tab badge did not grow")
    assert member_page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"
    member_page.screenshot("05-member-list-live-badge")
    # The sender's own live echo came on the same event; its bubble is still single.
    assert len([item for item in admin_page.all(".message__body") if item.text == text]) == 1

    open_row(member_page, admin_user["name"])
    member_page.wait(lambda: bubble(member_page, text) is not None, "the member does not see the message")
    assert "message--other" in bubble(member_page, text).get_attribute("class")
    member_page.wait(lambda: not member_page.row(admin_user["name"]).find_elements(By.CSS_SELECTOR, ".badge"),
                     "reading the chat did not clear its badge")
    expected = api.call("GET", "/v1/unread", env["member_token"])["direct"]
    member_page.wait(lambda: member_page.nav_unread("direct") == expected, "the 1:1 tab badge disagrees with GET /v1/unread")
    member_page.screenshot("06-member-conversation")

    reply = f"Reply from the member {unique}"
    send_with_enter(member_page, reply)
    admin_page.wait(lambda: bubble(admin_page, reply) is not None, "the admin did not get the reply live")
    assert len([item for item in admin_page.all(".message__body") if item.text == reply]) == 1


def test_create_circle_chat_offers_only_circles_without_a_chat(admin_page, api, env, member_user, unique):
    taken = api.put_circle(f"taken-{unique}", f"Browsertest Taken {unique}", [member_user["id"]])
    api.call("POST", "/v1/conversations/circle", env["admin_token"],
             {"circle_id": taken["id"], "send_policy": "all_members"})
    fresh = api.put_circle(f"fresh-{unique}", f"Browsertest Fresh {unique}", [member_user["id"]])

    admin_page.go("#/circle")
    admin_page.wait_visible("#new-circle-chat-button").click()
    field = admin_page.wait_visible("#circle-chat-circle")
    field.send_keys("Browsertest")
    admin_page.wait(lambda: any(fresh["name"] in option.text for option in circle_options(admin_page)),
                    "the circle without a chat is not offered")
    offered = [option.text for option in circle_options(admin_page)]
    assert not any(taken["name"] in text for text in offered), f"a circle with a chat was offered: {offered}"

    field.send_keys(f" Fresh {unique}")
    admin_page.wait(lambda: len(options := circle_options(admin_page)) == 1 and fresh["name"] in options[0].text,
                    "the search did not narrow to the one circle")
    circle_options(admin_page)[0].click()
    title = f"Announcements {unique}"
    admin_page.driver.find_element(By.ID, "circle-chat-name").send_keys(title)
    admin_page.driver.find_element(By.CSS_SELECTOR, "input[name=send_policy][value=admins_only]").click()
    admin_page.screenshot("07-create-circle-chat-dialog")
    admin_page.driver.find_element(By.ID, "circle-chat-submit").click()

    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == title, "the new circle chat did not open")
    subtitle = admin_page.text(".conversation-header__subtitle")
    assert fresh["name"] in subtitle and "1 member" in subtitle and "Admin Only" in subtitle
    assert admin_page.visible(".conversation-header__circle-link").get_attribute("href") == fresh["url"]
    send_with_enter(admin_page, f"Admins can post here {unique}")
    admin_page.wait(lambda: own_bubble(admin_page, f"Admins can post here {unique}") is not None, "the admin could not send")
    row = admin_page.wait_row(fresh["name"])
    assert "Admin Only" in row.text and title in row.text
    admin_page.screenshot("08-circle-conversation-admin")


def test_member_sees_the_admins_only_notice_and_no_composer(member_page, api, env, member_user, unique):
    circle = api.put_circle(f"news-{unique}", f"Browsertest News {unique}", [member_user["id"]])
    member_page.go("#/circle")
    member_page.wait(lambda: member_page.text("#list-heading") == "Circle Chats", "the circle list did not open")
    assert not member_page.visible("#new-circle-chat-button"), "a member sees Create Circle Chat"
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "admins_only"})
    api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"], {"body": f"Read-only news {unique}"})

    row = member_page.wait_row(circle["name"])  # arrives live: conversation.created
    member_page.wait(lambda: "Admin Only" in member_page.row(circle["name"]).text, "no Admin Only badge")
    member_page.screenshot("09-member-circle-list")
    open_row(member_page, circle["name"])
    notice = member_page.wait_visible(".send-notice")
    assert notice.text == "Only admins can send messages in this chat."
    assert not member_page.visible(".composer"), "a member has a composer in an admins-only chat"
    member_page.wait(lambda: bubble(member_page, f"Read-only news {unique}") is not None, "the member cannot read the chat")
    member_page.go("#/direct")
    member_page.wait(lambda: member_page.text("#list-heading") == "1:1 Chats", "the 1:1 list did not open")
    assert not member_page.visible("#new-chat-button"), "a member sees New Chat"
    member_page.go(f"#/conversations/{conversation['id']}")
    member_page.wait_visible(".send-notice")
    member_page.screenshot("10-member-admins-only-notice")


def test_a_markup_body_is_shown_as_text_and_never_run(admin_page, member_page, api, env, admin_user, member_user):
    conversation = direct_chat(api, env, member_user["id"])
    member_page.go("#/direct")
    admin_page.go(f"#/conversations/{conversation['id']}")
    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == member_user["name"], "chat did not open")
    send_with_enter(admin_page, XSS_BODY)

    admin_page.wait(lambda: (item := own_bubble(admin_page, XSS_BODY)) is not None and item.get_attribute("data-message-id"),
                    "the markup body is not shown as text")
    member_page.wait(lambda: XSS_BODY in member_page.row(admin_user["name"]).text, "the preview is not shown as text")
    for page in (admin_page, member_page):
        try:
            WebDriverWait(page.driver, 1).until(expected_conditions.alert_is_present())
            raise AssertionError("the message body ran as script (an alert opened)")
        except TimeoutException:
            pass
        assert page.all(".timeline__days img, .conversation-list img:not(.avatar__image)") == []
    admin_page.screenshot("11-markup-as-text")


def test_narrow_window_shows_one_pane_at_a_time(admin_page, api, env, member_user):
    conversation = direct_chat(api, env, member_user["id"])
    driver = admin_page.driver
    driver.set_window_size(390, 800)
    try:
        admin_page.go("#/direct")
        admin_page.wait_row(member_user["name"])
        assert not admin_page.visible("#conversation-pane")
        admin_page.screenshot("12-narrow-list")
        admin_page.go(f"#/conversations/{conversation['id']}")
        admin_page.wait_visible(".conversation-header__back")
        assert not admin_page.visible(".list-pane")
        admin_page.screenshot("13-narrow-conversation")
        admin_page.visible(".conversation-header__back").click()
        admin_page.wait_visible(".list-pane")
    finally:
        driver.set_window_size(1280, 860)


def test_a_lost_stream_shows_reconnecting_and_catches_up_without_reload(own_gateway, new_page, api, env,
                                                                      admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    page = new_page(env["member_token"], own_gateway.url)
    page.go("#/direct")
    page.wait_row(admin_user["name"])
    page.driver.execute_script("window.__sameDocument = true")

    def post(text):
        api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"], {"body": text})

    def row_shows(text):
        return lambda: text in page.row(admin_user["name"]).text

    before = f"Before the outage {unique}"
    post(before)
    page.wait(row_shows(before), "the stream from the page's own gateway did not deliver")
    assert page.visible("#connection-banner") is None

    own_gateway.stop()
    page.wait(lambda: page.text("#connection-banner") == "Reconnecting…", "no Reconnecting banner after losing the stream")
    during = f"Sent while the gateway was down {unique}"
    post(during)
    page.screenshot("14-reconnecting-banner")

    own_gateway.start()
    page.wait(row_shows(during), "the message sent during the outage never arrived", timeout=30)
    page.wait(lambda: page.visible("#connection-banner") is None, "the banner stayed after the stream came back")
    assert page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"


def test_scrolling_up_loads_older_history_and_keeps_the_reader_in_place(admin_page, api, env, unique):
    user = api.put_user(f"history-{unique}", f"History Reader {unique}")
    conversation = direct_chat(api, env, user["id"])
    bodies = [f"History {number:02d} {unique}" for number in range(1, 61)]
    for body in bodies:
        api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"], {"body": body})

    admin_page.go(f"#/conversations/{conversation['id']}")
    admin_page.wait(lambda: own_bubble(admin_page, bodies[-1]) is not None, "the newest message is not shown")
    assert own_bubble(admin_page, bodies[0]) is None, "the first page already holds the whole history"
    oldest_shown = admin_page.driver.find_element(By.CSS_SELECTOR, ".timeline .message .message__body").text

    admin_page.driver.execute_script("document.querySelector('.timeline').scrollTop = 0")
    admin_page.wait(lambda: own_bubble(admin_page, bodies[0]) is not None, "scrolling up did not load older messages")
    shown = [element.text for element in admin_page.all(".timeline .message__body")]
    assert shown == bodies, "history is incomplete, duplicated or out of order"
    top = admin_page.driver.execute_script("return document.querySelector('.timeline').scrollTop")
    assert top > 0, "the view jumped to the top instead of keeping the reader in place"
    assert oldest_shown in shown
    admin_page.driver.execute_script("document.querySelector('.timeline').scrollTop = 0")
    admin_page.wait(lambda: admin_page.text(".timeline__status") == "This is the beginning of the conversation.",
                    "the top of the history is not marked")
