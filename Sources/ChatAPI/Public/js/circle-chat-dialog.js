// "Create Circle Chat": pick a circle that has no chat yet, an optional title and who
// may send; Create Chat opens the new chat.
import { api } from './api.js';
import { avatar } from './avatar.js';
import { Combobox } from './combobox.js';
import { h, plural } from './dom.js';
import { ModalDialog } from './modal-dialog.js';
import { conversationHash, navigate } from './router.js';
import { showError, showToast } from './toast.js';

/** Wires the dialog to the Create Circle Chat button. */
export function setUpCircleChatDialog(store) {
  const dialog = document.getElementById('circle-chat-dialog');
  const form = document.getElementById('circle-chat-form');
  const submit = document.getElementById('circle-chat-submit');
  const titleInput = document.getElementById('circle-chat-name');
  const combobox = new Combobox({
    input: document.getElementById('circle-chat-circle'),
    listbox: document.getElementById('circle-chat-options'),
    status: document.getElementById('circle-chat-status'),
    search: async (text) => {
      const answer = await api.searchCirclesWithoutChat(text);
      // The API filters already; a circle that got a chat meanwhile is still never offered.
      return (answer.items ?? []).filter((circle) => !circle.conversation_id);
    },
    option: (circle) => [
      avatar({ id: circle.id, name: circle.name, size: 'small' }),
      h('span', { class: 'combobox__option-text' },
        h('span', { class: 'combobox__option-name' }, circle.name),
        h('span', { class: 'combobox__option-detail' }, plural(circle.member_count ?? 0, 'member'))),
    ],
    label: (circle) => circle.name,
    describe: (count) => (count === 0 ? 'No circles without a chat match.' : `${plural(count, 'circle')} without a chat. Use the arrow keys to choose.`),
    onChange: (circle) => { submit.disabled = !circle; },
    onError: showError,
  });
  const modal = new ModalDialog(dialog, {
    onOpen: () => {
      combobox.reset();
      titleInput.value = '';
      form.elements.send_policy.value = 'all_members';
      combobox.searchNow();
    },
    shouldKeepOpenOnEscape: () => combobox.takeEscape(),
    onSubmit: async () => {
      const circle = combobox.selected;
      if (!circle) return false;
      try {
        const conversation = await api.createCircleChat({
          circleID: circle.id,
          title: titleInput.value.trim() || undefined,
          sendPolicy: form.elements.send_policy.value,
        });
        store.upsert(conversation);
        navigate(conversationHash(conversation.id));
        return true;
      } catch (error) {
        const existing = error.details?.conversation_id ?? error.details?.error?.conversation_id;
        if (error.code === 'conflict' && existing) {
          showToast(error.message, 'info');
          navigate(conversationHash(existing));
          return true;
        }
        showError(error);
        return false;
      }
    },
  });
  const button = document.getElementById('new-circle-chat-button');
  button.addEventListener('click', () => modal.open(button));
}
