import { showBidiControls } from "../lib/bidi-controls";

/**
 * The service filter of a list page: "All services" or one of them (the picked one listed even when
 * unseen). An option holds only text: a name's bidirectional controls are written as marks there.
 */
export function ServiceSelect(props: {
  value: string | undefined;
  services: readonly string[];
  onChange(service?: string): void;
}) {
  const { value, services } = props;
  const options = value && !services.includes(value) ? [value, ...services] : services;
  return (
    <select
      class="input filter-service"
      aria-label="Service"
      value={value ?? ""}
      onChange={(event) => props.onChange((event.currentTarget as HTMLSelectElement).value || undefined)}
    >
      <option value="">All services</option>
      {options.map((name) => (
        <option key={name} value={name}>
          {showBidiControls(name)}
        </option>
      ))}
    </select>
  );
}
