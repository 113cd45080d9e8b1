/** A refusal a tester can fix, e.g. flashing while the card is on the DUT side. */
export class BoardRefusal extends Error {}
