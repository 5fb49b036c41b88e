/** Version of the study app, for diagnostics. */
export const version = '0.0.0';
