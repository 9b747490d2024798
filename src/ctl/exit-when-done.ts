// Set once a command has closed the datastore it opened (context.ts): the process may exit as soon as its
// output is out (main.ts). A module of its own so main.ts loads nothing else to read it.
export const exitWhenDone = { value: false };
