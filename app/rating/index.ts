// Rating: pure rate-deck machinery (no I/O), shared by retail billing and carrier rate decks.
export { minorUnitDigits, isKnownCurrency, UnknownCurrencyError } from './currency';
export { parseDecimal, formatDecimal, DECIMAL_REASON_TEXT, type DecimalResult, type DecimalReason } from './decimal';
export { costMinor, billedSeconds, maxAffordableSeconds, talkSecondsOf, isFree, isRounding, ROUNDINGS, MAX_TALK_SECONDS, type Tariff, type Rounding } from './cost';
export { minuteOfDay, isValidTimeZone, parseClock, formatClock, bandContains, MINUTES_PER_DAY } from './time-of-day';
export { RateTable, RateTableBuilder, MAX_PREFIX_DIGITS, type RateInput, type RateMatch, type RateConflict } from './rate-table';
export { PrefixTrie } from './prefix-trie';
export { RateCsvParser, RATE_COLUMNS, MAX_INCREMENT_SECONDS, type RateRowError, type RateCsvOptions, type ParsedRate } from './rate-csv';
export { readRateDeck, type RateDeck, type RateDeckOptions, type RateDeckSource } from './rate-deck';
export { splitCsvLine } from './csv-line';
export { InvalidRateFileError, RATE_FILE_ERROR_CODES, type RateFileRefusal } from './errors';
