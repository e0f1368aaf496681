/**
 * The print style shared by the product's tabular reports (the register of agreements, the annual report): a kop,
 * a centred title, and a ruled table whose header repeats on every page and whose rows never split.
 */
export const TABLE_REPORT_CSS = `body { font-family: 'Arimo', 'Liberation Sans', Arial, sans-serif; font-size: 9pt; color: #000; margin: 0; }
.kop { text-align: center; border-bottom: 3px double #000; padding-bottom: 4pt; margin-bottom: 8pt; }
.kop div { font-weight: bold; font-size: 11pt; }
.kop div:first-child { font-size: 13pt; }
.kop .alamat { font-weight: normal; font-size: 8.5pt; }
h1 { text-align: center; font-size: 12pt; margin: 6pt 0 2pt; }
.subjudul { text-align: center; margin-bottom: 8pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #e6e6e6; text-align: center; }
td.angka { text-align: right; }
td.nomor { font-weight: bold; }
`;
