// Types of results-pages.mjs for the tests (the script itself runs as plain JavaScript).
import type { AdversarialPublication, MaskPublication, Publication } from '@actlab/study';

export interface PublishedEntry {
  preset: string;
  publication: Publication;
  /** The report of the study (of its first source set, for an adversarial study). */
  report: string;
  /** Every report of the study: one per source set of an adversarial study, `.` for a grid's. */
  reports?: { folder: string; report: string }[];
  /** The files of its `figures/` folder (a grid or mask study's). */
  figures?: string[];
}
export interface CommittedResults {
  published: PublishedEntry[];
  quick: { preset: string; report: string }[];
  explanations: Record<string, Record<string, string>>;
  pending: { study: string; reason: string }[];
}
export const readmeMarkers: { start: string; end: string };
export function readResults(resultsDir: string): CommittedResults;
export function comparisonTable(publication: Publication): string;
export function attackTables(publication: AdversarialPublication): string;
export function maskTables(publication: MaskPublication): string;
export function figureFolders(publication: Publication): string[];
export function missingExplanations(
  published: PublishedEntry[],
  explanations: CommittedResults['explanations'],
): string[];
export function staleExplanations(
  published: PublishedEntry[],
  explanations: CommittedResults['explanations'],
): string[];
export function facts(publication: Publication): string;
export function resultsPage(
  entry: PublishedEntry,
  explanations: CommittedResults['explanations'],
): string;
export function quickPage(entry: { preset: string; report: string }): string;
export function resultsIndex(results: CommittedResults): string;
export function readmeBlock(results: Pick<CommittedResults, 'published' | 'pending'>): string;
export function replaceReadmeBlock(readme: string, block: string): string;
