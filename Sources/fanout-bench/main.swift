import Foundation
import Glibc

// fanout-bench: opens many event streams (to chat-gateway, or to nginx + nchan), publishes
// messages at a steady rate (through chat-api, or nchan's publisher), and measures, for every
// delivery, the time from the publisher's acknowledgement to the moment a client read it.
// Prints a summary and one `RESULT {json}` line. Driven by scripts/bench-fanout.

try runBench(BenchOptions.parse(Array(CommandLine.arguments.dropFirst())))
