// Switchboard's browser client for /groupcall: the Kurento group-call tutorial's flow (join,
// publish oneself, receive everyone; trickle ICE) plus mute state, chat, and resuming a session
// on another pod after a dropped socket or a `reconnect`. Join tokens ride as the WebSocket
// subprotocol `access_token.<jwt>` next to `switchboard` (browsers cannot set headers).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { ws: null, me: null, room: null, token: null, session: null, peers: {}, local: null,
  leaving: false, resuming: false, retries: 0, audio: true, video: true };

function status(text) { $('status').textContent = text; }

function showError(text) {
  const li = document.createElement('li');
  li.textContent = text;
  $('errors').prepend(li);
}

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

function connect(first) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // ?room= lets the gateway put the room's participants on one signaling pod.
  const url = `${scheme}//${location.host}/groupcall?room=${encodeURIComponent(state.room)}`;
  const protocols = state.token ? ['switchboard', 'access_token.' + state.token] : [];
  const ws = new WebSocket(url, protocols);
  state.ws = ws;
  status('connecting…');
  ws.onopen = () => {
    status('connected');
    state.resuming = !first && !!state.session;
    if (state.resuming) send({ id: 'resume', token: state.session });
    else send({ id: 'joinRoom', name: state.me, room: state.room });
  };
  let queue = Promise.resolve();
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    queue = queue.then(() => handle(message)).catch((e) => showError(`${message.id}: ${e}`));
  };
  ws.onclose = (event) => {
    if (state.ws !== ws) return;
    status(`disconnected (${event.code}${event.reason ? ': ' + event.reason : ''})`);
    // 4401/4403: the token or origin is refused (retrying cannot help); 4001: the session ended;
    // 4000: resumed on another socket. Anything else (4429 rate limit, 1013 no pod ready, 1011,
    // 1006, a pod stopping) is retried with a growing delay, and the session resumed.
    if (state.leaving || event.code === 4000 || event.code === 4401 || event.code === 4403) {
      if (event.code >= 4400) showError(event.reason || 'refused');
      return;
    }
    if (event.code === 4001) {
      endCall();
      return;
    }
    const delay = Math.min(8000, 250 * 2 ** state.retries++) * (0.5 + Math.random());
    setTimeout(() => { if (!state.leaving) connect(false); }, delay);
  };
}

async function handle(message) {
  switch (message.id) {
    case 'existingParticipants':
      state.retries = 0; // in the room again: the next drop starts the backoff afresh
      // After a resume: whoever left meanwhile is gone.
      for (const name of Object.keys(state.peers)) {
        if (name !== state.me && !message.data.includes(name)) drop(name);
      }
      if (!state.peers[state.me]) await publish();
      for (const name of message.data) if (!state.peers[name]) await receive(name);
      break;
    case 'session': state.session = message.token; break;
    case 'resumed': state.resuming = false; status(`resumed in ${message.room}`); break;
    case 'newParticipantArrived': await receive(message.name); break;
    case 'participantLeft': drop(message.name); break;
    case 'receiveVideoAnswer':
      if (state.peers[message.name] && !message.stream) {
        await state.peers[message.name].pc.setRemoteDescription({ type: 'answer', sdp: message.sdpAnswer });
      }
      break;
    case 'iceCandidate':
      if (state.peers[message.name] && !message.stream) await state.peers[message.name].pc.addIceCandidate(message.candidate);
      break;
    case 'mediaMoved':
      // The room moved to another media server: publish again (same camera), and receive the
      // others anew as they are announced again.
      for (const name of Object.keys(state.peers)) if (name !== state.me) drop(name);
      await publish();
      break;
    case 'reconnect':
      // This pod is stopping: resume on another one now.
      state.ws.onclose = null;
      state.ws.close();
      connect(false);
      break;
    case 'participantMediaState': caption(message.name, message.audio, message.video); break;
    case 'chatMessage': {
      const li = document.createElement('li');
      li.textContent = `${message.from}: ${message.text}`;
      $('messages').append(li);
      break;
    }
    case 'error':
      if (state.resuming && message.code === 'invalid-token') {
        // The session ended while we were away: join afresh.
        state.resuming = false;
        state.session = null;
        for (const name of Object.keys(state.peers)) drop(name);
        send({ id: 'joinRoom', name: state.me, room: state.room });
        break;
      }
      showError(`${message.code}: ${message.message}`);
      break;
    default: break;
  }
}

function tile(name) {
  let figure = document.getElementById('tile-' + name);
  if (!figure) {
    figure = document.createElement('figure');
    figure.id = 'tile-' + name;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    if (name === state.me) video.muted = true;
    const caption = document.createElement('figcaption');
    caption.textContent = name;
    figure.append(video, caption);
    $('videos').append(figure);
  }
  return figure;
}

function caption(name, audio, video) {
  const figure = document.getElementById('tile-' + name);
  if (figure) figure.querySelector('figcaption').textContent = `${name}${audio ? '' : ' 🔇'}${video ? '' : ' (camera off)'}`;
}

function peer(name) {
  state.peers[name]?.pc.close(); // a renegotiation replaces the old connection
  const pc = new RTCPeerConnection();
  pc.onicecandidate = (e) => {
    if (e.candidate) send({ id: 'onIceCandidate', name, candidate: e.candidate.toJSON() });
  };
  state.peers[name] = { pc };
  return pc;
}

async function publish() {
  if (!state.local) {
    state.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    tile(state.me).querySelector('video').srcObject = state.local;
  }
  const pc = peer(state.me);
  for (const track of state.local.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ id: 'receiveVideoFrom', sender: state.me, sdpOffer: offer.sdp });
}

async function receive(name) {
  const pc = peer(name);
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); tile(name).querySelector('video').srcObject = stream; };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send({ id: 'receiveVideoFrom', sender: name, sdpOffer: offer.sdp });
}

function drop(name) {
  state.peers[name]?.pc.close();
  delete state.peers[name];
  if (name !== state.me) document.getElementById('tile-' + name)?.remove();
}

function endCall() {
  for (const name of Object.keys(state.peers)) drop(name);
  state.local?.getTracks().forEach((t) => t.stop());
  state.local = null;
  state.session = null;
  $('videos').replaceChildren();
  $('call').hidden = true;
  $('join').hidden = false;
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  state.me = $('name').value.trim().normalize('NFC');
  state.room = $('room').value.trim().normalize('NFC');
  state.token = $('token').value.trim() || null;
  state.leaving = false;
  $('join').hidden = true;
  $('call').hidden = false;
  $('where').textContent = `${state.me} in ${state.room}`;
  connect(true);
});

$('leave').addEventListener('click', () => {
  state.leaving = true;
  send({ id: 'leaveRoom' });
  state.ws.close(1000, 'left');
  endCall();
  status('not connected');
});

function toggle(kind, button, on, off) {
  state[kind] = !state[kind];
  state.local?.getTracks().filter((t) => t.kind === kind).forEach((t) => { t.enabled = state[kind]; });
  button.textContent = state[kind] ? on : off;
  send({ id: 'mediaState', audio: state.audio, video: state.video });
  caption(state.me, state.audio, state.video);
}
$('mute-audio').addEventListener('click', (e) => toggle('audio', e.target, 'Mute', 'Unmute'));
$('mute-video').addEventListener('click', (e) => toggle('video', e.target, 'Camera off', 'Camera on'));

$('chat').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (text) send({ id: 'chat', text });
  $('text').value = '';
});

// Pre-fill from the address: /?room=standup&name=alice&token=...
const params = new URLSearchParams(location.search);
for (const key of ['name', 'room', 'token']) if (params.get(key)) $(key).value = params.get(key);
window.switchboard = state; // for tests and debugging
