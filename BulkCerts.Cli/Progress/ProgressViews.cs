using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace BulkCerts.Cli.Progress;

/// <summary>One reading of a task's progress, with its text and the time since the wait began.</summary>
public readonly record struct ProgressUpdate(TaskProgress Progress, string Text, TimeSpan Elapsed);

/// <summary>Shows a task's progress while <c>work</c> runs; <c>work</c> reports each reading.</summary>
public interface IProgressView
{
    Task<T> RunAsync<T>(Func<Action<ProgressUpdate>, Task<T>> work);
}

public static class ProgressViews
{
    /// <summary>
    /// Returns a live progress bar for an interactive terminal, and plain log lines otherwise (a pipe,
    /// a file, a CI log), where a redrawn bar would leave control characters or nothing readable.
    /// </summary>
    public static IProgressView Create(IAnsiConsole console, string title) =>
        console.Profile.Capabilities is { Interactive: true, Ansi: true }
            ? new LiveProgressView(console, title)
            : new LogProgressView(console, title);
}

/// <summary>A Spectre.Console progress bar with the issued count, the rate and the time left.</summary>
internal sealed class LiveProgressView(IAnsiConsole console, string title) : IProgressView
{
    public Task<T> RunAsync<T>(Func<Action<ProgressUpdate>, Task<T>> work)
    {
        var details = new DetailsColumn();
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), details)
            .StartAsync(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 100);
                return work(update =>
                {
                    details.Text = update.Text;
                    task.Value = update.Progress.Fraction * 100;
                });
            });
    }

    private sealed class DetailsColumn : ProgressColumn
    {
        public string Text { get; set; } = string.Empty;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(Text);
    }
}

/// <summary>
/// Writes a line when the task starts, changes status, passes each further 10 %, or at least every
/// 10 seconds, so that a log shows progress without a line per poll.
/// </summary>
internal sealed class LogProgressView(IAnsiConsole console, string title) : IProgressView
{
    private static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(10);

    public Task<T> RunAsync<T>(Func<Action<ProgressUpdate>, Task<T>> work)
    {
        string? lastStatus = null;
        var lastStep = -1;
        var lastLineAt = TimeSpan.Zero;
        return work(update =>
        {
            var step = (int)Math.Floor(update.Progress.Fraction * 10);
            if (update.Progress.Status == lastStatus && step == lastStep && update.Elapsed - lastLineAt < MaxSilence)
            {
                return;
            }

            var percent = (update.Progress.Fraction * 100).ToString("0", CultureInfo.InvariantCulture);
            var details = update.Text.Length > 0 ? $", {update.Text}" : string.Empty;
            console.WriteLine($"{title}: {update.Progress.Status}, {percent} %{details}");
            (lastStatus, lastStep, lastLineAt) = (update.Progress.Status, step, update.Elapsed);
        });
    }
}
