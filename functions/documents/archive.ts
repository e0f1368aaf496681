/**
 * The archive's search and logged downloads moved to core/documents/archive-search.ts (on the document store and
 * register ports; `app.archive` is the use case). Kept so that its importers compile unchanged.
 */
export * from '../../core/documents/archive-search.ts';
