/** Request priorities: 1 is the highest, 16 the lowest (upstream Boruta's range). */
export const HIGHEST_PRIORITY = 1;
export const LOWEST_PRIORITY = 16;
