namespace JukeboxBridge.Errors;

/// <summary>
/// Something the user gave cannot be used as given: a setting, a name, a file. Not a bug: the CLI prints the message in
/// one line and the daemon answers <c>bad_settings</c>. <see cref="Field"/> names what to change (an option such as
/// <c>--seconds</c>, a settings key such as <c>temperature</c>, or a file's path); the message already says it in words.
/// Internal invariants (shapes, states that the code itself guarantees) throw <see cref="InvalidOperationException"/>
/// or <see cref="ArgumentException"/> instead, and are reported as internal errors with a trace.
/// </summary>
public class UserInputException : Exception
{
    public string Field { get; }

    public UserInputException(string field, string message) : base(message) => Field = field;
    public UserInputException(string field, string message, Exception inner) : base(message, inner) => Field = field;
}

/// <summary>
/// The model the user gave (a bundle, a checkpoint, a preset file, the weights a job started with) cannot be used: the
/// daemon answers <c>model_error</c> rather than <c>bad_settings</c>.
/// </summary>
public class ModelInputException : UserInputException
{
    public ModelInputException(string field, string message) : base(field, message) { }
    public ModelInputException(string field, string message, Exception inner) : base(field, message, inner) { }
}
