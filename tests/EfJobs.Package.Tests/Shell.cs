using System.Diagnostics;
using System.Text;

namespace EfJobs.Package.Tests;

/// <summary>
/// Runs README commands with bash, as a user would type them, in an environment of the test's making: the variables
/// the README names, and none of the MSBuild variables the test host inherits from <c>dotnet test</c>.
/// </summary>
internal sealed class Shell(IReadOnlyDictionary<string, string> environment)
{
    /// <summary>Runs <paramref name="script"/> in <paramref name="directory"/> and returns the folder it ended in (a README block may <c>cd</c>).</summary>
    public async Task<string> RunAsync(string script, string directory, TimeSpan timeout)
    {
        var cwdFile = Path.GetTempFileName();
        try
        {
            using var process = Start($"{script}\npwd > '{cwdFile}'", directory);
            var output = Capture(process);
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Not done after {timeout.TotalSeconds} s:\n{script}\nOutput:\n{Text(output)}");
            }

            Assert.True(process.ExitCode == 0, $"Exited with {process.ExitCode}:\n{script}\nOutput:\n{Text(output)}");
            return (await File.ReadAllTextAsync(cwdFile)).Trim();
        }
        finally
        {
            File.Delete(cwdFile);
        }
    }

    /// <summary>Starts a long-running command (the app); the caller reads <paramref name="output"/> and kills it.</summary>
    public Process StartInBackground(string command, string directory, out StringBuilder output)
    {
        var process = Start("exec " + command, directory);
        output = Capture(process);
        return process;
    }

    public static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private Process Start(string script, string directory)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);

        // The test host inherits MSBuild's variables from `dotnet test`; a child build must find its own SDK paths.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        // Without these, MSBuild nodes and the compiler server outlive the build holding the output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static StringBuilder Capture(Process process)
    {
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return output;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
