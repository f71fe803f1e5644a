"""Edit, delete, reply, react and system messages in a real browser: done in one page, seen live
in another (API.md, "Messages: edit, delete, reply, react, system messages")."""
from urllib.parse import quote

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_chats_pages import XSS_BODY, direct_chat, no_alert_opens, post_message

THUMBS_UP = "👍"
UNICORN = "🦄"


def message_path(conversation_id, message_id):
    return f"/v1/conversations/{conversation_id}/messages/{message_id}"


def reactions_are(expected):
    return lambda message: message["reactions"] == expected


def test_edit_delete_reply_and_react_in_one_page_reach_the_other_live(admin_page, member_page, api, env,
                                                                     admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    conversation_id = conversation["id"]
    question = post_message(api, env, conversation_id, f"A question to quote {unique}", token_key="member_token")
    typo = post_message(api, env, conversation_id, f"An admin message with a tpyo {unique}")
    doomed = post_message(api, env, conversation_id, f"An admin message to delete {unique}")
    admin_page.open_conversation(conversation_id, member_user["name"])
    member_page.open_conversation(conversation_id, admin_user["name"])
    member_page.driver.execute_script("window.__sameDocument = true")
    for page in (admin_page, member_page):
        page.wait_message(doomed["body"])

    # Only what each may do: the sender edits, the sender or an admin deletes, both reply and
    # react, others' messages may be marked unread.
    assert admin_page.message(question["body"])["actions"] == ["reply", "react", "delete", "unread"]
    assert admin_page.message(typo["body"])["actions"] == ["reply", "react", "edit", "delete"]
    assert member_page.message(typo["body"])["actions"] == ["reply", "react", "unread"]
    assert member_page.message(question["body"])["actions"] == ["reply", "react", "edit", "delete"]

    # Reply: the composer says to whom; the reply carries a quote, here and in the other page.
    admin_page.act(question["id"], "reply")
    admin_page.wait(lambda: member_user["name"] in admin_page.text(".composer__reply"), "no 'Replying to' bar")
    assert "Replying to" in admin_page.text(".composer__reply")
    admin_page.screenshot("18-replying-to")
    answer = f"An answer that quotes {unique}"
    admin_page.send_with_enter(answer)
    quoted = {"sender": member_user["name"], "text": question["body"], "deleted": False}
    admin_page.wait_message(answer, lambda message: message["id"] and message["quote"] == quoted, "no quote above the reply")
    assert not admin_page.visible(".composer__reply"), "the 'Replying to' bar stayed after sending"
    member_page.wait_message(answer, lambda message: message["quote"] == quoted, "the reply's quote did not arrive live")
    stored = api.call("GET", f"/v1/conversations/{conversation_id}/messages?limit=10", env["admin_token"])["items"]
    assert next(item for item in stored if item["body"] == answer)["reply_to"]["id"] == question["id"]

    # React from the picker, then toggle the chips: counts agree, each page knows its own reaction.
    admin_page.act(question["id"], "react")
    picker = admin_page.wait_visible(".reaction-picker")
    admin_page.screenshot("19-reaction-picker")
    picker.find_element(By.CSS_SELECTOR, f'[data-emoji="{THUMBS_UP}"]').click()
    assert not admin_page.visible(".reaction-picker"), "the picker stayed open after a pick"
    admin_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 1, "mine": True}]),
                               "the admin's reaction is not shown")
    member_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 1, "mine": False}]),
                                "the reaction did not arrive live")
    member_page.click_reaction(question["id"], THUMBS_UP)
    member_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 2, "mine": True}]),
                                "the member's chip did not add their reaction")
    admin_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 2, "mine": True}]),
                               "the member's reaction did not arrive live")
    member_page.screenshot("20-reaction-chips")
    admin_page.click_reaction(question["id"], THUMBS_UP)
    admin_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 1, "mine": False}]),
                               "the admin's chip did not take the reaction back")
    member_page.wait_message_id(question["id"], reactions_are([{"emoji": THUMBS_UP, "count": 1, "mine": True}]),
                                "the removal did not arrive live")

    # Edit with the keyboard: the action is reachable by focus; Esc cancels, Enter saves.
    edit = admin_page.item(typo["id"]).find_element(By.CSS_SELECTOR, '[data-action="edit"]')
    admin_page.driver.execute_script("arguments[0].focus()", edit)
    admin_page.wait(lambda: edit.is_displayed(), "keyboard focus does not show the message's actions")
    ActionChains(admin_page.driver).send_keys(Keys.ENTER).perform()
    editor = admin_page.wait_visible(".message-editor__input")
    assert admin_page.driver.switch_to.active_element == editor, "the editor does not have the focus"
    assert editor.get_attribute("value") == typo["body"]
    editor.send_keys(" and more", Keys.ESCAPE)
    admin_page.wait(lambda: not admin_page.visible(".message-editor__input"), "Esc did not close the editor")
    assert not admin_page.message(typo["body"])["edited"], "Esc saved the edit"
    admin_page.act(typo["id"], "edit")
    editor = admin_page.wait_visible(".message-editor__input")
    fixed = f"An admin message without the typo {unique}"
    editor.clear()
    editor.send_keys(fixed)
    admin_page.screenshot("21-editing-in-place")
    editor.send_keys(Keys.ENTER)
    admin_page.wait_message(fixed, lambda message: message["edited"], "the edit is not shown with 'edited'")
    member_page.wait_message(fixed, lambda message: message["edited"], "the edit did not arrive live")
    member_page.screenshot("22-edited-live")
    assert api.call("GET", message_path(conversation_id, typo["id"]), env["admin_token"])["edited_at"]

    # Delete after a confirmation (Cancel first keeps it); a "Message deleted" line stays.
    admin_page.act(doomed["id"], "delete")
    dialog = admin_page.wait_visible("#delete-message-dialog")
    assert doomed["body"] in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "[data-dialog-cancel]").click()
    admin_page.wait(lambda: not admin_page.visible("#delete-message-dialog"), "Cancel did not close the dialog")
    assert not admin_page.message(doomed["body"])["deleted"], "Cancel deleted the message"
    admin_page.act(doomed["id"], "delete")
    admin_page.wait_visible("#delete-message-dialog")
    admin_page.screenshot("23-delete-confirmation")
    admin_page.driver.find_element(By.ID, "delete-message-submit").click()
    for page in (admin_page, member_page):
        page.wait_message_id(doomed["id"], lambda message: message["deleted"] and "Message deleted" in message["text"]
                             and message["actions"] == [] and doomed["body"] not in message["text"],
                             "the deletion is not shown (live, in the member's page)")
    member_page.screenshot("24-deleted-live")

    # The quoted message changes (here: edited to markup, then deleted by its sender): both quotes follow.
    markup = f"{XSS_BODY} edited {unique}"
    api.call("PATCH", message_path(conversation_id, question["id"]), env["member_token"], {"body": markup})
    for page in (admin_page, member_page):
        page.wait_message(answer, lambda message: message["quote"]["text"] == markup, "the quote did not follow the edit")
        assert page.all(".timeline__days img") == [], "markup in a quote became an element"
        assert no_alert_opens(page), "markup in a quote ran as script"

    # A click on the quote brings the original into view and focuses it.
    admin_page.driver.execute_script("document.querySelector('.timeline').scrollTop = 0")
    admin_page.item(next(m["id"] for m in admin_page.messages() if m["body"] == answer)) \
        .find_element(By.CSS_SELECTOR, ".message__quote").click()
    admin_page.wait(lambda: admin_page.driver.execute_script("return document.activeElement.dataset.messageId")
                    == str(question["id"]), "a click on the quote did not go to the original")
    admin_page.screenshot("25-quote-shows-the-original")

    api.call("DELETE", message_path(conversation_id, question["id"]), env["member_token"])
    for page in (admin_page, member_page):
        page.wait_message(answer, lambda message: message["quote"]["deleted"]
                          and message["quote"]["text"] == "Message deleted", "the quote did not show the deletion")
        page.wait_message_id(question["id"], lambda message: message["deleted"] and message["reactions"] == [],
                             "the deleted original kept its reactions")

    # The list's preview of a deleted newest message says so.
    reply_id = next(m["id"] for m in admin_page.messages() if m["body"] == answer)
    api.call("DELETE", message_path(conversation_id, reply_id), env["admin_token"])
    member_page.wait_row(admin_user["name"], lambda row: "Message deleted" in row["preview"],
                         "the list preview does not show the deletion")
    assert member_page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"
    for page in (admin_page, member_page):
        assert page.script_errors() == []


def test_system_messages_are_lines_and_members_react_in_admins_only_chats(admin_page, member_page, api, env,
                                                                          member_user, unique):
    circle = api.put_circle(f"depth-{unique}", f"Browsertest Depth {unique}", [member_user["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "admins_only"})
    news = post_message(api, env, conversation["id"], f"News to react to {unique}")
    member_page.open_conversation(conversation["id"], circle["name"])
    member_page.wait_message(news["body"])

    created = member_page.wait(lambda: next((m for m in member_page.messages() if m["system"]), None),
                               "no system message for the new chat")
    assert created["actions"] == [] and created["reactions"] == [] and not created["own"]
    # A member of an admins-only chat may react (and mark unread), but not reply (that would be sending).
    assert member_page.message(news["body"])["actions"] == ["react", "unread"]

    # Someone else's reaction arrives live, and the picker then offers its emoji after the common ones.
    api.call("PUT", f"{message_path(conversation['id'], news['id'])}/reactions/{quote(UNICORN)}", env["admin_token"])
    member_page.wait_message_id(news["id"], reactions_are([{"emoji": UNICORN, "count": 1, "mine": False}]),
                                "the admin's reaction did not arrive live")

    # The picker by keyboard: Enter on React opens it with focus on the first emoji, arrows move, Enter picks.
    react = member_page.item(news["id"]).find_element(By.CSS_SELECTOR, '[data-action="react"]')
    member_page.driver.execute_script("arguments[0].focus()", react)
    ActionChains(member_page.driver).send_keys(Keys.ENTER).perform()
    picker = member_page.wait_visible(".reaction-picker")
    offered = [button.get_attribute("data-emoji") for button in picker.find_elements(By.CSS_SELECTOR, "button")]
    assert offered[-1] == UNICORN and offered[0] == THUMBS_UP and len(offered) == 9, offered
    assert member_page.driver.switch_to.active_element.get_attribute("data-emoji") == THUMBS_UP
    ActionChains(member_page.driver).send_keys(Keys.ARROW_LEFT).perform()  # wraps round to the last one
    assert member_page.driver.switch_to.active_element.get_attribute("data-emoji") == UNICORN
    member_page.screenshot("26-reaction-picker-with-used-emoji")
    ActionChains(member_page.driver).send_keys(Keys.ENTER).perform()
    member_page.wait_message_id(news["id"], reactions_are([{"emoji": UNICORN, "count": 2, "mine": True}]),
                                "the member's reaction in an admins-only chat is not shown")
    assert member_page.driver.switch_to.active_element.get_attribute("data-action") == "react", \
        "focus did not go back to React after a pick"

    member_page.act(news["id"], "react")
    member_page.wait_visible(".reaction-picker").find_element(By.CSS_SELECTOR, f'[data-emoji="{THUMBS_UP}"]').click()
    member_page.wait_message_id(news["id"], reactions_are([{"emoji": UNICORN, "count": 2, "mine": True},
                                                           {"emoji": THUMBS_UP, "count": 1, "mine": True}]),
                                "a second emoji is not shown after the first")

    title = f"Depth renamed {unique}"
    api.call("PATCH", f"/v1/conversations/{conversation['id']}", env["admin_token"], {"title": title})
    member_page.wait(lambda: any(m["system"] and title in m["body"] for m in member_page.messages()),
                     "the title change's system message did not arrive live")
    line = member_page.visible(".message--system")
    centre = member_page.driver.execute_script(
        "const line = arguments[0].getBoundingClientRect(), timeline = document.querySelector('.timeline')"
        ".getBoundingClientRect(); return Math.abs((line.left + line.right) / 2 - (timeline.left + timeline.right) / 2);",
        line)
    assert centre < 20, f"the system line is not centred ({centre}px off)"
    member_page.screenshot("27-system-messages")
    assert member_page.script_errors() == []


def test_a_quote_of_a_message_not_loaded_yet_loads_the_history_up_to_it(admin_page, api, env, unique):
    user = api.put_user(f"quoting-{unique}", f"Quote Reader {unique}")
    conversation = direct_chat(api, env, user["id"])
    original = post_message(api, env, conversation["id"], f"The original, far back {unique}")
    for number in range(60):  # more than the first page of 50
        post_message(api, env, conversation["id"], f"Filler {number:02d} {unique}", client_id=f"filler-{unique}-{number}")
    reply = api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"],
                     {"body": f"Replying to the original {unique}", "reply_to": original["id"]})

    admin_page.open_conversation(conversation["id"], user["name"])
    admin_page.wait_message(reply["body"], lambda message: message["quote"]
                            and message["quote"]["text"] == original["body"], "the reply has no quote")
    assert admin_page.message(original["body"]) is None, "the original was loaded already"
    admin_page.item(reply["id"]).find_element(By.CSS_SELECTOR, ".message__quote").click()
    admin_page.wait(lambda: admin_page.driver.execute_script("return document.activeElement.dataset.messageId")
                    == str(original["id"]), "a click on the quote did not load and go to the original")
    in_view = admin_page.driver.execute_script(
        "const item = arguments[0].getBoundingClientRect(), timeline = document.querySelector('.timeline')"
        ".getBoundingClientRect(); return item.top >= timeline.top && item.bottom <= timeline.bottom;",
        admin_page.item(original["id"]))
    assert in_view, "the original is not scrolled into view"
