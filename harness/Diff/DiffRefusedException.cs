namespace Harness.Diff;

/// <summary>
/// Two traces that must not be compared: different scenarios, or an incomplete trace without
/// <see cref="DiffOptions.CompareIncompletePrefix"/>. The message names both files.
/// </summary>
public sealed class DiffRefusedException(string message) : Exception(message);
