import { render } from "preact";
import { App } from "./app";
import { applyStoredTheme } from "./components/ThemeToggle";
import "./styles.css";

applyStoredTheme();
render(<App />, document.getElementById("app") as HTMLElement);
