// Entry point: take the sign-in fragment, then start the page or show the signed-out notice.
import { ChatApp } from './chat-app.js';
import { session, takeSignInFragment } from './session.js';

sessionStorage.removeItem('chat.bootRetried');
takeSignInFragment();
if (session.token) {
  new ChatApp().start();
} else {
  document.getElementById('signed-out').hidden = false;
}
