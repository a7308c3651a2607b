const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Ids are UUID columns: anything else can name no row (and must not reach a query as one).
export const isUuid = (value: string): boolean => UUID.test(value);
