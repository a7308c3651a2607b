export { loadConfig, ConfigError, type AppConfig, type CallPolicyConfig } from './load-config';
export { DEFAULT_EMERGENCY_NUMBERS, parseEmergencyNumbers } from './call-policy-schema';
export { type InterceptConfig } from './intercept-config';
