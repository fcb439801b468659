import TailorCLI

await TailorCommand.runFromCommandLine()
