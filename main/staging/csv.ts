// RFC 4180 CSV: parse with the position of every field (record number and column, for error
// messages a technician can find in a spreadsheet) and write with correct quoting.

export interface CsvField {
  value: string;
  /** 1-based record number (the header is record 1), as a spreadsheet numbers its rows. */
  row: number;
  /** 1-based column number. */
  column: number;
  /** 1-based line in the file where the field starts (differs from row after quoted newlines). */
  line: number;
}

export interface CsvProblem {
  row: number;
  column: number;
  line: number;
  message: string;
}

export interface CsvParseResult {
  records: CsvField[][];
  problems: CsvProblem[];
}

/** Parse CSV text. Accepts LF or CRLF, a final newline or not, quoted fields with "" escapes. */
export function parseCsv(text: string): CsvParseResult {
  const records: CsvField[][] = [];
  const problems: CsvProblem[] = [];
  let record: CsvField[] = [];
  let field = '';
  let fieldLine = 1;
  let line = 1;
  let row = 1;
  let i = 0;
  let quoted = false;
  let afterQuote = false;
  let fieldStarted = false;
  const n = text.length;
  let wasQuoted = false;
  const endField = () => {
    record.push({ value: field, row, column: record.length + 1, line: fieldLine });
    field = '';
    quoted = false;
    afterQuote = false;
    fieldStarted = false;
    wasQuoted = false;
  };
  const endRecord = () => {
    // A line with nothing on it is skipped, but still counts as a row (as a spreadsheet shows it).
    const blank = record.length === 0 && field === '' && !wasQuoted;
    if (blank) {
      fieldStarted = false;
    } else {
      endField();
      records.push(record);
    }
    record = [];
    row++;
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (!fieldStarted) {
      fieldStarted = true;
      fieldLine = line;
    }
    if (c === '"') {
      if (field.length === 0 && !afterQuote) {
        quoted = true;
        wasQuoted = true;
        i++;
        continue;
      }
      problems.push({
        row,
        column: record.length + 1,
        line,
        message:
          'a double quote inside an unquoted field; quote the whole field and double the inner quote ("")',
      });
      field += c;
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      endRecord();
      line++;
      i++;
      continue;
    }
    if (afterQuote) {
      problems.push({
        row,
        column: record.length + 1,
        line,
        message: 'text after the closing quote of a quoted field',
      });
      afterQuote = false;
    }
    field += c;
    i++;
  }
  if (quoted) {
    problems.push({
      row,
      column: record.length + 1,
      line: fieldLine,
      message: 'a quoted field is never closed (missing ")',
    });
  }
  if (fieldStarted || field.length || record.length) endRecord();
  return { records, problems };
}

/** Quote one CSV value when needed (comma, quote, CR/LF, leading/trailing space). */
export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
  // Neutralise spreadsheet formula injection: a cell starting with = + - @ is prefixed with '.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Write rows as CSV with CRLF line ends (RFC 4180). */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Spreadsheet column letters: 1 -> A, 27 -> AA. */
export function columnLetter(col: number): string {
  let s = '';
  let n = col;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
