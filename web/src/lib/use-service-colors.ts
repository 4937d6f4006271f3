import { useEffect, useState } from "preact/hooks";
import { type ServiceColors, serviceColors } from "./service-color";

/**
 * The version of the service colour assignment, for components that paint colour values (a canvas):
 * the server's assignment comes over the live connection, often after the page has drawn, and a
 * canvas keeps the colours it was drawn with. Put the returned number in the drawing effect's inputs.
 */
export function useServiceColorsVersion(colors: ServiceColors = serviceColors): number {
  const [version, setVersion] = useState(colors.version());
  useEffect(() => {
    const update = () => setVersion(colors.version());
    const unsubscribe = colors.subscribe(update);
    // A change between the render and this effect.
    update();
    return unsubscribe;
  }, [colors]);
  return version;
}
