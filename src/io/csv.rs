//! Research data as CSV: wide (one row per administration), long (one row per answer) and
//! REDCap exports, read and written with errors located by row and column.
