// The web phone: JsSIP registers the browser identity of the user (its SIP credentials, typed here
// and kept in memory only) over the edge's secure websocket, and places and answers audio calls
// (WebRTC: DTLS-SRTP, ICE; the switch transcodes Opus to G.711 for phones and carriers).
import JsSIP from 'jssip';
import { callView, registrationView } from './phone-state.js';

const $ = (id) => document.getElementById(id);
const audio = $('remote-audio');
let ua;
let session;

function show(element, view) {
  element.dataset.state = view.state;
  element.textContent = view.text;
}
const showError = (text) => { $('error').textContent = text; };

function setCall(state, detail) {
  show($('call-state'), callView(state, detail));
  const active = session && !session.isEnded();
  $('answer').disabled = !(active && state === 'incoming');
  $('hangup').disabled = !active;
}

// The remote audio: every track the peer connection gets plays in the page's audio element.
function playRemote(connection) {
  connection.addEventListener('track', (event) => {
    audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
  });
}

function follow(next, direction) {
  session = next;
  $('peer').textContent = direction === 'incoming' ? `from ${next.remote_identity.uri.user}` : `to ${next.remote_identity.uri.user}`;
  if (next.connection) playRemote(next.connection);
  else next.on('peerconnection', ({ peerconnection }) => playRemote(peerconnection));
  next.on('progress', () => setCall(direction === 'incoming' ? 'incoming' : 'ringing'));
  next.on('accepted', () => setCall('answered'));
  next.on('confirmed', () => setCall('answered'));
  next.on('ended', ({ cause }) => setCall('ended', cause));
  next.on('failed', ({ cause }) => setCall('failed', cause));
  setCall(direction === 'incoming' ? 'incoming' : 'calling');
}

async function start(settings, username, password) {
  const socket = new JsSIP.WebSocketInterface(settings.wssUrl);
  ua = new JsSIP.UA({
    sockets: [socket],
    uri: `sip:${settings.identity.replace('{username}', username)}@${settings.domain}`,
    authorization_user: username,
    password,
    display_name: username,
    register: true,
    session_timers: false,
    user_agent: 'calling-web-phone',
  });
  ua.on('registered', () => show($('registration'), registrationView('registered')));
  ua.on('unregistered', () => show($('registration'), registrationView('unregistered')));
  ua.on('registrationFailed', ({ cause }) => show($('registration'), registrationView('failed', cause)));
  ua.on('disconnected', () => show($('registration'), registrationView('disconnected')));
  ua.on('newRTCSession', ({ session: next, originator }) => {
    if (session && !session.isEnded()) {
      if (originator === 'remote') next.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    follow(next, originator === 'remote' ? 'incoming' : 'outgoing');
  });
  show($('registration'), registrationView('registering'));
  ua.start();
}

const callOptions = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] }, rtcOfferConstraints: { offerToReceiveAudio: true } };

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('');
  const form = new FormData(event.target);
  const response = await fetch('settings.json');
  if (!response.ok) {
    showError((await response.json()).message ?? 'the web phone is unavailable');
    return;
  }
  await start(await response.json(), String(form.get('username')), String(form.get('password')));
  $('login').hidden = true;
  $('phone').hidden = false;
});

$('dial').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!ua || (session && !session.isEnded())) return;
  const target = String(new FormData(event.target).get('target')).trim();
  try {
    ua.call(`sip:${target}@${ua.configuration.uri.host}`, callOptions);
  } catch (error) {
    showError(String(error));
  }
});

$('answer').addEventListener('click', () => {
  if (session && !session.isEnded()) session.answer(callOptions);
});
$('hangup').addEventListener('click', () => {
  if (session && !session.isEnded()) session.terminate();
});
$('logout').addEventListener('click', () => {
  ua?.stop();
  window.location.reload();
});
