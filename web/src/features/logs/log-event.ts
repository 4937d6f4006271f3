/** Whether a log record is an event, and its name: the same rule as the log search's `name=`. */
export { eventNameOf as logEventName } from "../../../../src/domain/log-event";
