export { loadConfig, ConfigError, type AppConfig, type InterceptConfig } from './load-config';
