/** Version of this package, for diagnostics. */
export const version = '0.0.0';
