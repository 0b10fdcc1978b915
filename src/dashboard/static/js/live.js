// One WebSocket per page: the server pushes what the page watches, at most a few times a second.
import { $, setText } from './dom.js';

/** `onMessage` gets every parsed message; `watch(null | id | false)` says what to push (list, campaign, nothing). */
export function createLive(onMessage) {
  let ws;
  let want = null;
  let retry = 500;
  const setBadge = (on) => {
    setText($('#live'), on ? 'live' : 'offline');
    $('#live').className = on ? 'live on' : 'live';
  };
  function connect() {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`);
    ws.addEventListener('open', () => {
      retry = 500;
      setBadge(true);
      ws.send(JSON.stringify({ watch: want }));
    });
    ws.addEventListener('message', (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // not ours to show
      }
      onMessage(msg);
    });
    ws.addEventListener('close', () => {
      setBadge(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }
  return {
    connect,
    watch(what) {
      want = what;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ watch: what }));
    },
  };
}
