// The fleet's routing of operator actions that are not any one call's owner's: click-to-call goes to
// a node whose switch is up (commands on a live call go to its owner: shared/infra/nats-call-commands).
export { FleetCallPlacement, type FleetCallPlacementOptions } from './call-placement';
export { NatsPlacementBus } from './nats-placement-bus';
export { NodeRefusedError, NoSwitchNodeError, PlacementFailedError } from './errors';
export { type PlacementBus, type StartCall } from './ports';
// Lawful intercept's taps on whichever node holds the target's channel.
export { FleetContentTap, FleetTapError, fleetContentTapOf, type NodeRecorder, type NodeTapFactory } from './fleet-content-tap';
export { RedisSwitchNodeDirectory, type SwitchNode } from './switch-node-directory';
