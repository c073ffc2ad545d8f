// A NULL cell, set apart from empty text.
export function NullCell() {
  return <span className="cell-null">NULL</span>;
}
