// What the page shows for a registration or a call state (data-state for scripts, text for people).
const REGISTRATION = {
  none: 'not registered',
  registering: 'registering…',
  registered: 'registered',
  unregistered: 'not registered',
  failed: 'registration failed',
  disconnected: 'disconnected from the server',
};
const CALL = {
  idle: 'idle',
  calling: 'calling…',
  ringing: 'ringing…',
  incoming: 'incoming call',
  answered: 'in call',
  ended: 'call ended',
  failed: 'call failed',
};

export function registrationView(state, cause) {
  const text = REGISTRATION[state] ?? state;
  return { state, text: cause ? `${text} (${cause})` : text };
}

export function callView(state, cause) {
  const text = CALL[state] ?? state;
  return { state, text: cause ? `${text} (${cause})` : text };
}
