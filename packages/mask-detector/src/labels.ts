/** The three VOC class names, spelled as the dataset spells them. */
export const vocClassNames = ['with_mask', 'without_mask', 'mask_weared_incorrect'] as const;

/** The two classes of the seed: `without_mask` and `mask_weared_incorrect` merged into `no_mask`. */
export const twoClassNames = ['with_mask', 'no_mask'] as const;

/** A label name of either mode. */
export type MaskLabel = (typeof vocClassNames)[number] | (typeof twoClassNames)[number];

/** 2: with_mask / no_mask (the seed). 3: the VOC classes. */
export type ClassMode = 2 | 3;

/** The class names of a mode, in label-index order. */
export function classNamesFor(classes: ClassMode): readonly MaskLabel[] {
  return classes === 2 ? twoClassNames : vocClassNames;
}

/**
 * The label index of a raw dataset class name (`with_mask`, `without_mask`,
 * `mask_weared_incorrect`) in the given mode, or -1 for an unknown name.
 */
export function labelIndex(rawName: string, classes: ClassMode): number {
  const index = (vocClassNames as readonly string[]).indexOf(rawName.trim());
  if (index < 0) return -1;
  return classes === 2 ? Math.min(index, 1) : index;
}
