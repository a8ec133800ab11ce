//! Values to bytes and back, in postcard's compact binary format.
//!
//! Both directions return a `PyResult`: a value whose `Serialize` fails
//! (a map or sequence of unknown length, a custom impl returning an error)
//! is `TypeError: cannot serialize ...`, CPython's class for an argument
//! `pickle` cannot handle; bytes that do not decode as the expected type
//! (another binary, a corrupted message) are `TypeError: cannot
//! deserialize ...`. Neither panics.

use pyrt_executor::{PyException, PyResult};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Serialises `value`; `what` names it in the error (`"argument of
/// 'square'"`).
///
/// ```
/// use pyrt_remote::{decode, encode};
/// let bytes = encode(&(3u8, "x".to_string()), "argument")?;
/// assert_eq!(decode::<(u8, String)>(&bytes, "argument")?, (3, "x".to_string()));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn encode<T: Serialize + ?Sized>(value: &T, what: &str) -> PyResult<Vec<u8>> {
    postcard::to_allocvec(value).map_err(|e| {
        PyException::TypeError(format!(
            "cannot serialize {what} of type {}: {e}",
            std::any::type_name::<T>()
        ))
    })
}

/// Deserialises a `T` that must use all of `bytes`; `what` names it in the
/// error.
///
/// ```
/// use pyrt_executor::PyClass;
/// use pyrt_remote::decode;
/// let e = decode::<u64>(&[], "result").unwrap_err();
/// assert!(e.is_instance_of(&PyClass::TypeError));
/// ```
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> PyResult<T> {
    let fail = |detail: &dyn std::fmt::Display| {
        PyException::TypeError(format!(
            "cannot deserialize {what} as {}: {detail}",
            std::any::type_name::<T>()
        ))
    };
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(fail(&format_args!("{} bytes left over", rest.len()))),
        Err(e) => Err(fail(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyrt_executor::PyClass;
    use serde::ser::Error as _;

    struct Unserialisable;

    impl Serialize for Unserialisable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("a lock cannot be sent"))
        }
    }

    #[test]
    fn round_trips_compound_values() {
        let v = (vec![1u32, 2, 3], Some("abc".to_string()), -5i64);
        let bytes = encode(&v, "x").unwrap();
        assert_eq!(
            decode::<(Vec<u32>, Option<String>, i64)>(&bytes, "x").unwrap(),
            v
        );
    }

    #[test]
    fn a_value_that_cannot_be_serialised_is_a_type_error() {
        let e = encode(&Unserialisable, "argument of 'f'").unwrap_err();
        assert!(e.is_instance_of(&PyClass::TypeError), "{e}");
        assert!(e.to_string().contains("argument of 'f'"), "{e}");
        assert!(e.to_string().contains("Unserialisable"), "{e}");
    }

    #[test]
    fn wrong_bytes_are_a_type_error() {
        let bytes = encode(&(1u8, 2u8), "x").unwrap();
        let e = decode::<String>(&[5, b'a'], "result").unwrap_err();
        assert!(e.is_instance_of(&PyClass::TypeError), "{e}");
        let e = decode::<u8>(&bytes, "result").unwrap_err();
        assert!(e.to_string().contains("1 bytes left over"), "{e}");
    }
}
