/** Forward paging over a GraphQL connection; "First page" goes back to the start. */
export function Pager({
  hasNext,
  onNext,
  onFirst,
  atFirst,
  total,
}: {
  hasNext: boolean;
  onNext: () => void;
  onFirst: () => void;
  atFirst: boolean;
  total?: number;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      {total !== undefined ? <span>{total} in all</span> : null}
      <button type="button" className="secondary" onClick={onFirst} disabled={atFirst}>
        First page
      </button>
      <button type="button" className="secondary" onClick={onNext} disabled={!hasNext}>
        Next page
      </button>
    </nav>
  );
}
