/** Progress of one file's download, reported as the bytes come in. */
export interface DownloadProgress {
  /** Dataset name, e.g. `mnist`. */
  dataset: string;
  /** File name, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  url: string;
  receivedBytes: number;
  /** From Content-Length, else the known size; null when neither is known. */
  totalBytes: number | null;
}

/** How long a download may go without receiving a byte before it is dropped, by default. */
export const defaultStallTimeoutMs = 30_000;
