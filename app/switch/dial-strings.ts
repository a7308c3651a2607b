// Asterisk's dial strings for carriers: how the switch names a number through a carrier's trunk
// (a device's is SwitchControl.deviceAddress). Only the switch knows them; the other modules pass
// the address back to it as an opaque string (CarrierTarget.endpoint).
export function carrierDialString(number: string, trunkEndpoint: string): string {
  return `PJSIP/${number}@${trunkEndpoint}`;
}
