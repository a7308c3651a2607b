// Asterisk's realtime stores ";" and "^" of a value as "^3B" and "^5E" (its own separator and
// escape): a contact URI with parameters (";transport=tls") is read back as the device wrote it.
export const fromRealtimeValue = (value: string | null): string | null =>
  value && value.replace(/\^([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
