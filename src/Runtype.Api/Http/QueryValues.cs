using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Runtype.Api.Http;

/// <summary>
/// The one reading of query values, for every action (contract §1): a parameter given more than once is refused
/// (<c>limit=5&amp;limit=6</c>: which one would count?), and a number is plain decimal digits with an optional minus,
/// nothing else. The framework's binder reads <c>0x10</c> as 16 and <c>+5</c> as 5, and uses the first of repeated
/// values. A value refused here is a 400 naming the parameter (<c>ModelStateProblems</c>).
/// </summary>
public sealed class QueryValues : IModelBinderProvider
{
    private static readonly Binder Strict = new();

    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.BindingInfo.BindingSource == BindingSource.Query && (Nullable.GetUnderlyingType(context.Metadata.ModelType) ?? context.Metadata.ModelType) is var type
        && (type == typeof(int) || type == typeof(string))
            ? Strict
            : null;

    /// <summary>Plain decimal: ASCII digits, an optional leading minus, within the range of <see cref="int"/>.</summary>
    public static bool TryParseInteger(string? text, out int value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = text.AsSpan(text[0] == '-' ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private sealed class Binder : IModelBinder
    {
        public Task BindModelAsync(ModelBindingContext bindingContext)
        {
            var name = bindingContext.ModelName;
            var given = bindingContext.ValueProvider.GetValue(name);
            if (given == ValueProviderResult.None)
            {
                return Task.CompletedTask; // absent: the action's default
            }

            bindingContext.ModelState.SetModelValue(name, given);
            if (given.Length > 1)
            {
                bindingContext.ModelState.TryAddModelError(name, $"{name} must be given once; it was given {given.Length} times.");
                return Task.CompletedTask;
            }

            var text = given.FirstValue ?? string.Empty;
            if ((Nullable.GetUnderlyingType(bindingContext.ModelType) ?? bindingContext.ModelType) == typeof(string))
            {
                bindingContext.Result = ModelBindingResult.Success(text);
            }
            else if (TryParseInteger(text, out var number))
            {
                bindingContext.Result = ModelBindingResult.Success(number);
            }
            else
            {
                bindingContext.ModelState.TryAddModelError(name, $"{name} must be an integer in plain decimal digits; '{text}' is not.");
            }

            return Task.CompletedTask;
        }
    }
}
