export { loadConfig, ConfigError, type AppConfig } from './load-config';
