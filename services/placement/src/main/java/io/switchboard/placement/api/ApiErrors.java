package io.switchboard.placement.api;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error is an RFC 9457 problem (application/problem+json) with a {@code code} property:
 * the API's own refusals, and Spring's (malformed JSON, wrong method or media type, ...).
 */
@RestControllerAdvice
class ApiErrors extends ResponseEntityExceptionHandler {

  /** Redis unreachable: the request may succeed later, so 503, not 500. */
  @ExceptionHandler(org.springframework.dao.DataAccessException.class)
  ResponseEntity<ProblemDetail> storeUnavailable(org.springframework.dao.DataAccessException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "1")
        .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "placement state is unreachable; retry"));
  }

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ProblemDetail> refused(ApiException e) {
    return ResponseEntity.status(e.status()).body(problem(e.status(), e.code(), e.getMessage()));
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
      HttpStatusCode status, WebRequest request) {
    ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, status, request);
    if (response != null && response.getBody() instanceof ProblemDetail problem && problem.getProperties() == null) {
      problem.setProperty("code", codeFor(status));
      if (ex instanceof org.springframework.http.converter.HttpMessageNotReadableException) {
        problem.setDetail("The request body is not valid JSON of the expected shape");
      }
    }
    return response;
  }

  static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("https://switchboard.io/problems/" + code));
    problem.setProperty("code", code);
    return problem;
  }

  private static String codeFor(HttpStatusCode status) {
    HttpStatus known = HttpStatus.resolve(status.value());
    return known == null ? "error" : known.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
