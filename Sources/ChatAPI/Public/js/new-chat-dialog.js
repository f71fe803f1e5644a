// "New Chat": find a user by name (each suggestion shows the email), Start Chat opens
// the conversation (the existing one when there is one already).
import { api } from './api.js';
import { avatar } from './avatar.js';
import { Combobox } from './combobox.js';
import { h } from './dom.js';
import { ModalDialog } from './modal-dialog.js';
import { conversationHash, navigate } from './router.js';
import { showError } from './toast.js';

/** Wires the dialog to the New Chat button. */
export function setUpNewChatDialog(store) {
  const dialog = document.getElementById('new-chat-dialog');
  const submit = document.getElementById('new-chat-submit');
  const combobox = new Combobox({
    input: document.getElementById('new-chat-user'),
    listbox: document.getElementById('new-chat-options'),
    status: document.getElementById('new-chat-status'),
    search: async (text) => {
      if (text.length === 0) return [];
      const answer = await api.searchUsers(text);
      return (answer.items ?? []).filter((user) => user.id !== store.me?.id);
    },
    option: (user) => [
      avatar({ id: user.id, name: user.name, avatarURL: user.avatar_url, size: 'small' }),
      h('span', { class: 'combobox__option-text' },
        h('span', { class: 'combobox__option-name' }, user.name),
        h('span', { class: 'combobox__option-detail' }, user.email)),
    ],
    label: (user) => user.name,
    describe: (count) => (count === 0 ? 'No matching users.' : `${count} matching user${count === 1 ? '' : 's'}. Use the arrow keys to choose.`),
    onChange: (user) => { submit.disabled = !user; },
    onError: showError,
  });
  const modal = new ModalDialog(dialog, {
    onOpen: () => combobox.reset(),
    shouldKeepOpenOnEscape: () => combobox.takeEscape(),
    onSubmit: async () => {
      const user = combobox.selected;
      if (!user) return false;
      try {
        const conversation = await api.startDirectChat(user.id);
        store.upsert(conversation);
        navigate(conversationHash(conversation.id));
        return true;
      } catch (error) {
        showError(error);
        return false;
      }
    },
  });
  const button = document.getElementById('new-chat-button');
  button.addEventListener('click', () => modal.open(button));
}
