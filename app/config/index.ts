export { loadConfig, ConfigError, type AppConfig } from './load-config';
export { type InterceptConfig } from './intercept-config';
